export * from './types';
export * from './issues';
export * from './schema';
export * from './destinations';
export * from './validate';
export * from './metadata';
