/**
 * Binds a GroundedLM to the decoders' `NextLogProbs`: the image prefixes are computed once per batch
 * of prompts; each call right-pads the rows, runs the LM over [prefix; ids] and reads the log-softmax
 * at each row's last position (causal attention: padding after it cannot change it).
 * Owns `prefix` ([N, P, d], kept) — call `dispose()` when done.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NextLogProbs } from './decode_greedy';
import type { GroundedLM } from './grounded_lm';

export interface ModelStep {
  next: NextLogProbs;
  dispose(): void;
}

export function modelStep(model: GroundedLM, images: Float32Array, imageShape: [number, number, number, number], chunk = 96): ModelStep {
  const prefix = tf.tidy(() => {
    const out: tf.Tensor[] = [];
    const [N, H, W, C] = imageShape;
    const n = H * W * C;
    for (let s = 0; s < N; s += chunk) {
      const m = Math.min(chunk, N - s);
      out.push(model.prefix(tf.tensor4d(images.subarray(s * n, (s + m) * n), [m, H, W, C]))); // [m, P, d]
    }
    return tf.concat(out, 0); // [N, P, d]
  });
  const V = model.lm.vocabSize;
  const next: NextLogProbs = (rows, owners) => {
    const out = new Float32Array(rows.length * V);
    for (let s = 0; s < rows.length; s += chunk) {
      const part = rows.slice(s, s + chunk);
      const T = Math.max(...part.map((r) => r.length));
      const ids = new Int32Array(part.length * T);
      part.forEach((r, b) => ids.set(r, b * T));
      const values = tf.tidy(() => {
        const pre = tf.gather(prefix, tf.tensor1d(owners.slice(s, s + chunk), 'int32')); // [R, P, d]
        const logits = model.textLogits(tf.tensor2d(ids, [part.length, T], 'int32'), pre); // [R, T, V]
        const flat = tf.reshape(logits, [part.length * T, V]); // [R·T, V]
        const last = tf.gather(flat, tf.tensor1d(part.map((r, b) => b * T + r.length - 1), 'int32')); // [R, V]
        return tf.logSoftmax(last, -1).dataSync() as Float32Array; // [R, V]
      });
      out.set(values, s * V);
    }
    return out;
  };
  return { next, dispose: () => prefix.dispose() };
}
