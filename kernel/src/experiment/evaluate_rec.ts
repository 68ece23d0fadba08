/**
 * REC (referring expression comprehension) with a trained dual encoder, zero-shot: the expression's
 * tokens are aligned with its image's patches and the answer is the candidate box holding the most mass
 * (the rule of seq/line_i_rec_baseline.ts, here for every method and both columns):
 *
 *   S = cos(patches [n, d], words [L, d])                       [n, L]
 *   plan column:  mass_p = Σ_t P_pt,   P = the run's OT plan (otPairPlans, dustbin part dropped)
 *   sim column:   mass_p = Σ_t softmax_p(S_pt / τ)  over the expression's valid tokens
 *   answer = argmax_c Σ_{p : centre(p) ∈ box_c} mass_p  over the candidate boxes (ties → first)
 *
 *   rec.{sim,plan,own}.accuracy   Acc@0.5 (evaluate/rec_accuracy), own = plan for ot / global+ot, sim else
 *   rec.n, rec.chance             expressions; expected accuracy of a uniformly random candidate
 *   rec.candidates                mean candidates per expression
 *
 * It picks among given boxes (no regression), so it is bounded by the candidates' quality.
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../align/features';
import { boxIoU, type BoxXYXY } from '../evaluate/box_iou';
import { patchCentreInBox, type PatchGrid } from '../evaluate/patch_grid';
import { recAccuracy } from '../evaluate/rec_accuracy';
import type { DualEncoder } from './dual_encoder';
import type { ExperimentConfig } from './experiment_config';
import type { ExpressionSet } from './experiment_data';
import { groundsWithPlan, type MethodName } from './methods';
import { otPairPlans } from './ot_pair_plans';

/** patches: the test images' L2-normalised patch features [N, n, d] (test_features.ts). */
export function evaluateRec(
  model: DualEncoder,
  patches: tf.Tensor3D,
  set: ExpressionSet,
  config: ExperimentConfig,
  method: MethodName,
  temperature: number,
  grid: PatchGrid,
  chunk = 64,
): Record<string, number> {
  const E = set.count;
  const L = set.textLength;
  const n = patches.shape[1];
  const planMass = new Float32Array(E * n);
  const simMass = new Float32Array(E * n);
  for (let start = 0; start < E; start += chunk) {
    const e = Math.min(chunk, E - start);
    const [pm, sm] = tf.tidy(() => {
      const ids = tf.tensor2d(set.ids.subarray(start * L, (start + e) * L), [e, L], 'int32'); // [e, L]
      const mask = tf.tensor2d(set.mask.subarray(start * L, (start + e) * L), [e, L]); // [e, L]
      const words = l2Normalize(model.text.forward(ids, mask)); // [e, L, d]
      const x = tf.gather(patches, tf.tensor1d(set.image.subarray(start, start + e), 'int32')); // [e, n, d]
      const s = tf.matMul(x, words, false, true) as tf.Tensor3D; // [e, n, L]
      const { plan } = otPairPlans(s, mask, config.loss); // [e, n, L]
      const soft = tf.mul(tf.softmax(tf.transpose(tf.div(s, temperature), [0, 2, 1])), tf.expandDims(mask, 2)); // [e, L, n], padded rows 0
      return [tf.sum(plan, 2), tf.sum(soft, 1)]; // [e, n], [e, n]
    });
    planMass.set(pm!.dataSync() as Float32Array, start * n);
    simMass.set(sm!.dataSync() as Float32Array, start * n);
    tf.dispose([pm!, sm!]);
  }
  const box = (arr: Float32Array, k: number): BoxXYXY => [arr[4 * k]!, arr[4 * k + 1]!, arr[4 * k + 2]!, arr[4 * k + 3]!];
  const rows = { sim: [] as { id: string; truth: BoxXYXY; predicted: BoxXYXY }[], plan: [] as { id: string; truth: BoxXYXY; predicted: BoxXYXY }[] };
  let chance = 0;
  let candidates = 0;
  for (let k = 0; k < E; k++) {
    const truth = box(set.truth, k);
    const first = set.candidateOffsets[k]!;
    const last = set.candidateOffsets[k + 1]!;
    const cands = Array.from({ length: last - first }, (_, c) => box(set.candidates, first + c));
    candidates += cands.length;
    chance += cands.filter((c) => boxIoU(c, truth) >= 0.5).length / cands.length;
    for (const [name, mass] of [['sim', simMass], ['plan', planMass]] as const) {
      let best = 0;
      let bestMass = -Infinity;
      cands.forEach((c, ci) => {
        let m = 0;
        for (let p = 0; p < n; p++) if (patchCentreInBox(grid, p, c)) m += mass[k * n + p]!;
        if (m > bestMass) (bestMass = m), (best = ci);
      });
      rows[name].push({ id: String(k), truth, predicted: cands[best]! });
    }
  }
  const metrics: Record<string, number> = { 'rec.n': E, 'rec.chance': chance / E, 'rec.candidates': candidates / E };
  for (const name of ['sim', 'plan'] as const) metrics[`rec.${name}.accuracy`] = recAccuracy(rows[name]).accuracy;
  metrics['rec.own.accuracy'] = metrics[`rec.${groundsWithPlan(method) ? 'plan' : 'sim'}.accuracy`]!;
  return metrics;
}
