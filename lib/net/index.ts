export * from './ip';
export * from './metadata';
export * from './ranges';
