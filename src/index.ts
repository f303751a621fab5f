/**
 * prnet — PRNet (Feng et al., ECCV 2018) in TypeScript. Isomorphic library entry:
 * nothing exported here imports Node modules; Node adapters live in `prnet/node`.
 */
export * from './model/resfcn.js';
export * from './model/session.js';
