import { AiAppIntent, CalicoOptions } from './types';

/** Whether an app's policies are rendered as Calico objects (`flavor: 'calico'`); the default flavor is kubernetes. */
export function isCalicoApp(app: AiAppIntent): boolean {
  return app.flavor === 'calico';
}

/**
 * Whether an app is in audit mode: its policies rendered as Staged kinds rather than enforced: a
 * calico-flavor app's own `audit`, else the platform's `calico.audit`.
 */
export function isAudited(app: AiAppIntent, calico: CalicoOptions | undefined): boolean {
  return isCalicoApp(app) && (app.audit ?? calico?.audit ?? false);
}
