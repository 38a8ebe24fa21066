import { WORKLOADS } from '../k8s';
import { Manifest } from '../verify';
import { checkManifests } from '.';

type Obj = Record<string, unknown>;

/** A pod template whose one container is privileged, and restricted in every other way. */
const privilegedPod = {
  metadata: { labels: { app: 'llm' } },
  spec: {
    containers: [{ name: 'main', image: 'x:1', securityContext: { privileged: true, allowPrivilegeEscalation: true, capabilities: { drop: ['ALL'] } } }],
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  },
};

/** An object of the kind, in namespace ai, with the privileged pod template where the kind holds it. */
function workloadOf(w: (typeof WORKLOADS)[number]): Obj {
  const nested = w.template.reduceRight<Obj>((inner, field) => ({ [field]: inner }), privilegedPod);
  return { ...nested, apiVersion: w.group ? `${w.group}/${w.version}` : w.version, kind: w.kind, metadata: { name: 'llm', namespace: 'ai' } };
}

const restrictedNamespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'ai', labels: Object.fromEntries(['enforce', 'audit', 'warn'].map((m) => [`pod-security.kubernetes.io/${m}`, 'restricted'])) },
};

const manifests = (objects: readonly Obj[]): Manifest[] =>
  objects.map((object, i) => ({ object: object as unknown as Manifest['object'], source: { file: 'app.yaml', document: i + 1 } }));

describe('Pod Security restricted: every kind that runs pods is checked', () => {
  // Each kind of lib/k8s's one list; the check once kept a list of its own, which left ReplicationControllers out.
  it.each(WORKLOADS.map((w) => [w.kind, w] as const))("a %s's privileged pods are found, named by the object", (kind, w) => {
    const { findings } = checkManifests(manifests([restrictedNamespace, workloadOf(w)]));
    expect(findings.filter((f) => f.rule === 'pod-security-restricted').map((f) => f.message)).toEqual([
      `${kind} ai/llm: main: privileged`,
      `${kind} ai/llm: main: allowPrivilegeEscalation is not false`,
    ]);
    expect(findings.find((f) => f.rule === 'pod-security-restricted')?.object).toMatchObject({ kind, namespace: 'ai', name: 'llm' });
  });
});
