export * from './ip';
export * from './metadata';
export * from './ranges';
export * from './cluster-ranges';
export * from './shared-ranges';
export * from './special';
