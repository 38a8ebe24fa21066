export * from './conventions';
export * from './platform';
