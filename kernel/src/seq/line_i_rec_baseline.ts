/**
 * The zero-shot REC baseline from seed line (i): train the line-(i) OT dual encoder
 * (kernel/src/experiment, method 'ot') on captions, then, for each referring expression of the test
 * split, transport the expression's tokens onto the image's patches and answer with the object whose
 * box holds the most plan mass:
 *
 *   S = cos(patches [n, d], words [L, d]),  P = Sinkhorn_ε(1 − S; uniform over patches / valid tokens)
 *   mass(o) = Σ_{i: centre(patch i) ∈ box(o)} Σ_j P_ij,   predicted box = box(argmax_o mass(o))
 *
 * It picks among the ground-truth boxes (no box regression), so it is an upper-bounded "pointing"
 * baseline; both lines are scored with the same REC Acc@0.5 on the same expressions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../align/features';
import { encodeGroundedText } from '../data/scene_batch';
import type { BoxXYXY } from '../data/scene_types';
import { boxIoU, patchCentreInBox, recAccuracy } from '../evaluate';
import { alignmentTask, buildExperimentData, DualEncoder, resolveExperimentConfig } from '../experiment';
import { sinkhorn } from '../ot/sinkhorn';
import { train } from '../train';
import type { GroundedLMConfig } from './grounded_lm_config';
import type { Log } from './grounded_lm_run';
import { datasetOf } from './grounded_lm_run';

export interface LineIRecResult {
  accuracy: number;
  n: number;
  /** Expected accuracy of picking one of the scene's objects uniformly at random (the floor). */
  chance: number;
  steps: number;
  trainSeconds: number;
  /** The experiment config the OT model was trained with. */
  config: unknown;
}

export async function lineIRecBaseline(cfg: GroundedLMConfig, seed: number, log: Log): Promise<LineIRecResult> {
  const b = cfg.lineIBaseline;
  const ecfg = resolveExperimentConfig({
    methods: ['ot'],
    seeds: 1,
    data: { seed: cfg.data.seed, imageSize: cfg.data.imageSize, trainScenes: b.trainScenes, testScenes: 2 }, // its own test set is unused here
    model: { patchSize: b.patchSize, width: b.width, depth: b.depth, heads: cfg.model.heads, mlpWidth: 4 * b.width, outputDim: b.width },
    train: { steps: b.steps, batchSize: b.batchSize, warmupSteps: Math.min(20, b.steps) },
  });
  const data = buildExperimentData(ecfg);
  const model = new DualEncoder(ecfg, data.vocabSize, seed);
  try {
    const t = ecfg.train;
    const t0 = Date.now();
    await train(alignmentTask(ecfg, 'ot', model, data.train), {
      steps: t.steps,
      seed,
      optimizer: { kind: 'adamw', lr: t.lr, weightDecay: t.weightDecay },
      schedule: { kind: 'cosine', warmupSteps: t.warmupSteps, minLr: t.lr * 0.05 },
      clipGradNorm: t.clipGradNorm,
    }, { listeners: [(e) => e.kind === 'step' && e.step % 50 === 0 && log(`line-(i) OT step ${e.step}/${e.totalSteps} loss ${e.loss.toFixed(4)}`)] });
    const trainSeconds = (Date.now() - t0) / 1000;
    const ds = datasetOf(cfg);
    const L = ecfg.data.textLength;
    const grid = { imageWidth: cfg.data.imageSize, imageHeight: cfg.data.imageSize, rows: model.grid, cols: model.grid };
    const rows: { id: string; predicted: BoxXYXY; truth: BoxXYXY }[] = [];
    let chance = 0;
    const count = Math.min(cfg.eval.count, cfg.data.testScenes);
    for (let i = 0; i < count; i++) {
      const s = ds.getScene('test', i);
      const exprs = s.referringExpressions.filter((e) => e.words.length + 2 <= L);
      if (exprs.length === 0) continue;
      const E = exprs.length;
      const enc = exprs.map((e) => encodeGroundedText(e, ds.tokenizer, L));
      const mass = tf.tidy(() => {
        const img = tf.tensor4d(Float32Array.from(s.image, (v) => v / 255), [1, s.height, s.width, 3]); // [1, H, W, 3]
        const ids = tf.tensor2d(Int32Array.from(enc.flatMap((x) => [...x.ids])), [E, L], 'int32'); // [E, L]
        const mask = tf.tensor2d(Float32Array.from(enc.flatMap((x) => [...x.mask])), [E, L]); // [E, L]
        const { patches, words } = model.encode(tf.tile(img, [E, 1, 1, 1]), ids, mask); // [E, n, d], [E, L, d]
        const S = tf.matMul(l2Normalize(patches), tf.transpose(l2Normalize(words), [0, 2, 1])); // [E, n, L]
        const { plan } = sinkhorn(tf.sub(1, S), { eps: ecfg.loss.eps, maxIter: ecfg.loss.iterations, tol: 0, colMask: mask, method: ecfg.loss.sinkhornMethod, grad: 'detach', diagnostics: false });
        return tf.sum(plan, 2).dataSync() as Float32Array; // [E, n] mass per patch
      });
      const n = model.grid * model.grid;
      exprs.forEach((e, k) => {
        let best = 0;
        let bestMass = -1;
        s.objects.forEach((o, oi) => {
          let m = 0;
          for (let p = 0; p < n; p++) if (patchCentreInBox(grid, p, o.box)) m += mass[k * n + p]!;
          if (m > bestMass) (bestMass = m), (best = oi);
        });
        rows.push({ id: `test#${i}/${k}`, predicted: s.objects[best]!.box, truth: s.objects[e.target]!.box });
        chance += s.objects.filter((o) => boxIoU(o.box, s.objects[e.target]!.box) >= 0.5).length / s.objects.length;
      });
    }
    const r = recAccuracy(rows);
    log(`line-(i) OT zero-shot REC: ${r.accuracy.toFixed(4)} on ${r.n} expressions (random object: ${(chance / r.n).toFixed(4)})`);
    return { accuracy: r.accuracy, n: r.n, chance: chance / r.n, steps: t.steps, trainSeconds, config: ecfg };
  } finally {
    model.dispose();
  }
}
