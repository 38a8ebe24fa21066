import { ComputeResources } from './types';

/**
 * Requests and limits of an app that declares none: enough for a small web service, far too
 * little for a model server, which should declare its own. Memory request equals its limit, so
 * the pod is not evicted for using what it was promised. `npm run synth` prints where it applies.
 */
export const DEFAULT_RESOURCES: ComputeResources = {
  cpu: { request: '250m', limit: '1' },
  memory: { request: '512Mi', limit: '512Mi' },
};

/** Where the writable model cache is mounted when `modelCachePath` is not given. */
export const DEFAULT_MODEL_CACHE_PATH = '/models';

/** Size limit of the model cache when `modelCacheSize` is not given. */
export const DEFAULT_MODEL_CACHE_SIZE = '20Gi';
