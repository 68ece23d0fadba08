import './backend/tfjs_runtime';
/**
 * @alignscope/kernel — the compute library behind alignscope notebooks.
 *
 *   import { initBackend, ot } from '@alignscope/kernel';
 *   await initBackend();
 *   const { plan } = ot.sinkhorn(cost, { eps: 0.05 });
 */
export * from './backend';
export * as ot from './ot';
export * as show from './show';
export * as tf from '@tensorflow/tfjs-core';
