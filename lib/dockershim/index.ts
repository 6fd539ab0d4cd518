export * from './lint';
export * from './chart-check';
