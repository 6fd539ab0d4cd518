export * from './values';
export * from './policies';
export * from './evaluator';
export * from './render';
