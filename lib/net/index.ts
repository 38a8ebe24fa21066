export * from './ip';
export * from './metadata';
export * from './ranges';
export * from './special';
