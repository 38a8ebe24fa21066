export * from './ip';
export * from './ranges';
