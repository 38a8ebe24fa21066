/**
 * An object of the API named by its kind, namespace and name: what errors and findings about an
 * object carry, as a value, and the one way it is written in messages.
 */

/** An object: its kind, its namespace (none for a cluster-scoped object) and its name. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** The reference to an object as read from a manifest. */
export function objectRefOf(o: { readonly kind: string; readonly metadata: { readonly name: string; readonly namespace?: string } }): ObjectRef {
  const { name, namespace } = o.metadata;
  return { kind: o.kind, ...(namespace === undefined ? {} : { namespace }), name };
}

/** An object as messages name it, as kubectl does: `NetworkPolicy ai/allow-egress`, `Namespace ai`. */
export function formatObjectRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
