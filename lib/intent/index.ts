export * from './types';
export * from './defaults';
export * from './issues';
export * from './schema';
export * from './destinations';
export * from './validate';
export * from './flavor';
export { ROOT_ONLY_IMAGES, adviceFor, appliedDefaults, imageRepository } from './advice';
export type { AppliedDefault } from './advice';
