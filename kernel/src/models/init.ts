import * as tf from '@tensorflow/tfjs-core';

/**
 * Seeded parameter initialisation. Every parameter gets its own seed derived from the model seed and
 * the parameter's path (`blocks.0.attn.qkv.weight`), so adding a layer never shifts the others' values.
 */
export function deriveSeed(seed: number, path: string): number {
  // FNV-1a over "seed/path", 32 bits, kept positive
  let h = 0x811c9dc5;
  for (const ch of `${seed}/${path}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** N(0, std²) values (nanoGPT / GPT-2 use std 0.02 for weights and embeddings). */
export function normalInit(shape: number[], std: number, seed: number, path: string): tf.Variable {
  const init = tf.randomNormal(shape, 0, std, 'float32', deriveSeed(seed, path));
  const v = tf.variable(init, true); // shares init's data; disposing init leaves the variable's copy
  init.dispose();
  return v;
}

/** A constant-filled trainable variable (biases: 0, layer-norm gains: 1). */
export function constantInit(shape: number[], value: number): tf.Variable {
  const init = tf.fill(shape, value);
  const v = tf.variable(init, true);
  init.dispose();
  return v;
}
