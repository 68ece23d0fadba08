/// <reference path="../types/tfjs_chained_ops.d.ts" />
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
export * as models from './models';
export * as align from './align';
export * as data from './data';
export * as train from './train';
export * as evaluate from './evaluate';
export * as show from './show';
export * as seq from './seq';
export * as experiment from './experiment';
export * as tf from '@tensorflow/tfjs-core';
export {
  publishDisplay,
  clearOutput,
  currentCancellation,
  InterruptedError,
  registerValueFormatter,
} from './jupyter';
