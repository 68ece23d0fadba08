/**
 * One training step of a small dual encoder (kernel/src/models: ViT patch encoder + text encoder) with the
 * library's losses (kernel/src/align: global InfoNCE + OT-alignment InfoNCE, Sinkhorn between the patches and
 * tokens of every image × caption pair), then one Adam update (kernel/src/train/adam): the loss, every
 * gradient and every updated parameter agree across backends (cpu reference, wasm, webgpu) within 1e-4,
 * without leaked tensors. The bench's train-step-global + train-step-ot (shared/bench-workloads.md), smaller.
 */
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { globalLoss, otLoss } from '../../kernel/src/align';
import { PatchEncoder, TextEncoder } from '../../kernel/src/models';
import { AdamOptimizer } from '../../kernel/src/train/adam';
import { assertAgree, forEachBackend, seeded } from './for_each_backend';

const B = 8; // image-caption pairs
const IMAGE = 28; // 28 × 28 × 3 images, 4 × 4 patches → n = 49
const M = 16; // caption length (padded)

const PATCH = { imageSize: IMAGE, patchSize: 4, width: 32, depth: 1, heads: 2, mlpWidth: 64, outputDim: 32 };
const TEXT = { vocabSize: 64, maxLength: M, width: 32, depth: 1, heads: 2, mlpWidth: 64, outputDim: 32 };

/** Caption b has 6 + b tokens (the rest padding); token ids are deterministic in [1, 64). */
function captions(): { tokens: tf.Tensor2D; mask: tf.Tensor2D } {
  const ids = new Int32Array(B * M);
  const mask = new Float32Array(B * M);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < 6 + b; j++) {
      ids[b * M + j] = 1 + ((b * 17 + j * 5) % 63);
      mask[b * M + j] = 1;
    }
  }
  return { tokens: tf.tensor2d(ids, [B, M], 'int32'), mask: tf.tensor2d(mask, [B, M]) };
}

/** Global + OT loss, the OT part with the given Sinkhorn method (log on one, kernel on the other test). */
function alignmentLoss(patches: tf.Tensor, tokens: tf.Tensor, mask: tf.Tensor, method: 'log' | 'kernel'): tf.Scalar {
  const global = globalLoss(patches, tokens, mask, { temperature: 0.07 }).total;
  const ot = otLoss(patches, tokens, mask, { temperature: 0.07, eps: 0.05, iterations: 20, grad: 'envelope', method }).total;
  return tf.add(global, ot) as tf.Scalar;
}

for (const method of ['kernel', 'log'] as const) {
  test(`one training step (encoders, global + OT loss with ${method} Sinkhorn, Adam) agrees across backends within 1e-4`, async (t) => {
    const runs = await forEachBackend(t, async () => {
      const patchEncoder = new PatchEncoder(PATCH, 0);
      const textEncoder = new TextEncoder(TEXT, 1);
      const named = new Map([...patchEncoder.namedVariables()].map(([k, v]) => [`image.${k}`, v]));
      for (const [k, v] of textEncoder.namedVariables()) named.set(`text.${k}`, v);
      const variables = [...named.values()];
      const optimizer = new AdamOptimizer(variables, { kind: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
      const images = tf.tidy(() => tf.add(tf.mul(seeded([B, IMAGE, IMAGE, 3], 3), 0.5), 0.5)); // [B, 28, 28, 3] ~ [0, 1]
      const { tokens, mask } = captions();
      try {
        const { value, grads } = tf.variableGrads(() =>
          alignmentLoss(patchEncoder.forward(images), textEncoder.forward(tokens, mask), mask, method),
        );
        tf.tidy(() => optimizer.apply(variables.map((v) => grads[v.name] ?? null), 1e-3));
        const out: Record<string, Float32Array> = { loss: (await value.data()) as Float32Array };
        for (const [name, v] of named) {
          const g = grads[v.name];
          if (g) out[`grad.${name}`] = (await g.data()) as Float32Array;
          out[`param.${name}`] = (await v.data()) as Float32Array;
        }
        tf.dispose([value, ...Object.values(grads)]);
        return out;
      } finally {
        tf.dispose([images, tokens, mask]);
        optimizer.dispose();
        patchEncoder.dispose();
        textEncoder.dispose();
      }
    });
    // Adam's first step moves each parameter by about lr · sign(g). Where the exact gradient is 0 (attention key
    // biases: softmax ignores a per-query constant) g is float noise and its sign arbitrary, so the updated value
    // is compared only where the reference gradient is clearly non-zero; the gradients themselves everywhere.
    const reference = runs[0]!.value;
    for (const run of runs.slice(1)) {
      for (const key of Object.keys(reference).filter((k) => k.startsWith('param.'))) {
        const g = reference[`grad.${key.slice('param.'.length)}`];
        if (!g) continue;
        const mine = run.value[key]!;
        for (let i = 0; i < g.length; i++) if (Math.abs(g[i]!) < 1e-6) mine[i] = reference[key]![i]!;
      }
    }
    assertAgree(runs, 1e-4, t);
  });
}
