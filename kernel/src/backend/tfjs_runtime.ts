/**
 * Side-effect module: makes the TF.js runtime complete. tfjs-core's CommonJS build (what Node loads)
 * registers no gradients, no chained tensor methods (`x.add(y)`) and no optimisers; the
 * `@tensorflow/tfjs` union package registers all of them against the same tfjs-core instance.
 * Every entry point that runs tensor code imports this first (initBackend does).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('@tensorflow/tfjs');
export {};
