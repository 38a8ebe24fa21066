export * from './platform';
export * from './deferred-chart';
