/**
 * Test-split evaluation of one trained dual encoder. Every number is a plain metric (definitions in
 * evaluate/ and in the report):
 *
 *   retrieval.global.{i2t,t2i}.R@K     R@1/5/10 ranked by the cosine of pooled features
 *   retrieval.otRerank.{i2t,t2i}.R@K   the global top-k re-ranked by the OT pair score (k = eval.rerankK; 0 = all)
 *   retrieval.own.*                    the method's own score: global for global/filip, otRerank for ot/global+ot
 *   grounding.{sim,plan,own}.hitAt1 / .massInBox (and .<size|colour|shape>.hitAt1 ...)
 *       over every content word of every test caption, on the matched pair: `sim` = softmax over patches
 *       of the word's similarity column (temperature τ of the run), `plan` = the OT plan's column;
 *       `own` = plan for ot/global+ot, sim for global/filip. `grounding.randomBaseline` = random pointing.
 *   plan.*                             plan diagnostics of the matched pairs' plans, averaged
 *   rec.*                              only when the test set has referring expressions (dataset records):
 *                                      zero-shot REC by the mass in candidate boxes (evaluate_rec.ts)
 *
 * A test set without grounded tokens (records without boxes) still gets every grounding key, as NaN
 * with grounding.words = 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { groundingScores, type GroundingItem } from '../evaluate/pointing_game';
import { planDiagnostics, type PlanDiagnostics } from '../evaluate/plan_diagnostics';
import { recallFromRankings, rerankTopK } from '../evaluate/rerank_top_k';
import { retrievalRecall, type RetrievalResult } from '../evaluate/retrieval_recall';
import type { BoxXYXY } from '../evaluate/box_iou';
import type { DualEncoder } from './dual_encoder';
import type { GroundedTestSet } from './experiment_data';
import type { ExperimentConfig } from './experiment_config';
import { groundsWithPlan, type MethodName } from './methods';
import { alignPairs } from './pair_alignment';
import { evaluateRec } from './evaluate_rec';
import { encodeTestSet } from './test_features';

/** A test image's alignment for the report: the method's own column (plan or softmaxed similarity) per real token. */
export interface AlignmentSample {
  index: number;
  words: string[];
  content: boolean[];
  /** [n][words.length], rows = patches (row-major grid). */
  matrix: number[][];
  kind: 'plan' | 'similarity';
}

export interface EvaluationResult {
  metrics: Record<string, number>;
  samples: AlignmentSample[];
}

const KS = [1, 5, 10] as const;

function retrievalMetrics(prefix: string, r: RetrievalResult, out: Record<string, number>): void {
  for (const k of KS) {
    out[`${prefix}.i2t.R@${k}`] = r.i2t[k]!;
    out[`${prefix}.t2i.R@${k}`] = r.t2i[k]!;
  }
  out[`${prefix}.rsum`] = r.rsum;
}

function softmax(xs: Float32Array | number[], temperature: number): number[] {
  let max = -Infinity;
  for (const x of xs) max = Math.max(max, x);
  const e = Array.from(xs, (x) => Math.exp((x - max) / temperature));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

export async function evaluateModel(
  model: DualEncoder,
  test: GroundedTestSet,
  config: ExperimentConfig,
  method: MethodName,
): Promise<EvaluationResult> {
  const N = test.count;
  const L = test.textLength;
  const features = encodeTestSet(model, test);
  try {
    const n = features.patches.shape[1];
    const metrics: Record<string, number> = {};
    const tau = model.temperatureValue(config.loss.temperature);
    metrics['train.temperature'] = tau;

    // Retrieval: pooled cosine, then OT re-ranking of the top k.
    const pooled = tf.matMul(features.pooledImage, features.pooledText, false, true); // [N_image, N_text]
    const flat = pooled.dataSync() as Float32Array;
    pooled.dispose();
    const scores = Array.from({ length: N }, (_, i) => flat.subarray(i * N, (i + 1) * N));
    const identity = Array.from({ length: N }, (_, j) => j);
    const global = retrievalRecall(scores, identity, KS);
    retrievalMetrics('retrieval.global', global, metrics);

    const k = config.eval.rerankK === 0 ? N : Math.min(config.eval.rerankK, N);
    const order = (q: number, dir: 'i2t' | 't2i'): number[] =>
      identity
        .slice()
        .sort((a, b) => (dir === 'i2t' ? scores[q]![b]! - scores[q]![a]! : scores[b]![q]! - scores[a]![q]!) || a - b)
        .slice(0, k);
    const pairKeys = new Map<number, number>(); // image·N + text → position
    const pi: number[] = [];
    const pt: number[] = [];
    const want = (i: number, t: number): void => {
      const key = i * N + t;
      if (!pairKeys.has(key)) {
        pairKeys.set(key, pi.length);
        pi.push(i);
        pt.push(t);
      }
    };
    for (let q = 0; q < N; q++) {
      for (const t of order(q, 'i2t')) want(q, t);
      for (const i of order(q, 't2i')) want(i, q);
    }
    const ot = alignPairs(features, pi, pt, config.loss);
    const otScore = (i: number, t: number): number => ot.scores[pairKeys.get(i * N + t)!]!;
    const rerank = (direction: 'i2t' | 't2i'): Promise<number[][]> =>
      rerankTopK(scores, { direction, k, rescore: (q, cs) => cs.map((c) => (direction === 'i2t' ? otScore(q, c) : otScore(c, q))) });
    const otRerank = recallFromRankings({ i2t: await rerank('i2t'), t2i: await rerank('t2i') }, identity, KS);
    retrievalMetrics('retrieval.otRerank', otRerank, metrics);
    retrievalMetrics('retrieval.own', groundsWithPlan(method) ? otRerank : global, metrics);
    metrics['eval.rerankK'] = k;

    // Grounding on the matched pairs (image i, caption i).
    const matched = alignPairs(features, identity, identity, config.loss, true);
    const sim = matched.similarity!;
    const plan = matched.plan!;
    const grid = { imageWidth: test.imageSize, imageHeight: test.imageSize, rows: model.grid, cols: model.grid };
    const simItems: GroundingItem[] = [];
    const planItems: GroundingItem[] = [];
    const diags: PlanDiagnostics[] = [];
    const column = (arr: Float32Array, i: number, t: number): Float32Array => {
      const col = new Float32Array(n);
      for (let p = 0; p < n; p++) col[p] = arr[(i * n + p) * L + t]!;
      return col;
    };
    for (let i = 0; i < N; i++) {
      for (let t = 0; t < L; t++) {
        if (!test.tokenContent[i * L + t] || test.tokenObject[i * L + t]! < 0) continue;
        const [x1, y1, x2, y2] = test.tokenBox.subarray((i * L + t) * 4, (i * L + t + 1) * 4);
        const box: BoxXYXY = [x1!, y1!, x2!, y2!];
        const word = test.words[i]![t]!;
        const category = test.roles[i]![t]!;
        simItems.push({ column: softmax(column(sim, i, t), tau), box, word, category });
        planItems.push({ column: column(plan, i, t), box, word, category });
      }
      // with a dustbin the token part of the plan carries 1 − ρ of the mass: compare with those marginals
      const keep = config.loss.otBackground === 'dustbin' ? 1 - config.loss.dustbinMass : 1;
      const colMask = test.mask.subarray(i * L, (i + 1) * L);
      const valid = colMask.reduce((a, v) => a + v, 0);
      diags.push(
        planDiagnostics(plan.subarray(i * n * L, (i + 1) * n * L), n, L, {
          colMask,
          a: new Float32Array(n).fill(keep / n),
          b: Float32Array.from(colMask, (v) => (v * keep) / valid),
        }),
      );
    }
    const own = groundsWithPlan(method) ? 'plan' : 'sim';
    for (const [name, items] of [['sim', simItems], ['plan', planItems]] as const) {
      const g = groundingScores(items, grid);
      const put = (prefix: string): void => {
        metrics[`${prefix}.hitAt1`] = g.hitAt1;
        metrics[`${prefix}.massInBox`] = g.massInBox;
        for (const [cat, s] of Object.entries(g.byCategory)) {
          metrics[`${prefix}.${cat}.hitAt1`] = s.hitAt1;
          metrics[`${prefix}.${cat}.massInBox`] = s.massInBox;
        }
        const byWord = new Map<string, { hits: number; mass: number; n: number }>();
        g.rows.forEach((r) => {
          const w = byWord.get(r.word!) ?? { hits: 0, mass: 0, n: 0 };
          w.hits += r.hit ? 1 : 0;
          w.mass += Number.isNaN(r.massInBox) ? 0 : r.massInBox;
          w.n += 1;
          byWord.set(r.word!, w);
        });
        for (const [w, s] of byWord) {
          metrics[`words.${prefix}.${w}.hitAt1`] = s.hits / s.n;
          metrics[`words.${prefix}.${w}.massInBox`] = s.mass / s.n;
        }
      };
      put(`grounding.${name}`);
      if (name === own) put('grounding.own');
      metrics['grounding.randomBaseline'] = g.randomBaseline;
      metrics['grounding.words'] = g.n;
    }
    const keys = Object.keys(diags[0] ?? {}) as (keyof PlanDiagnostics)[];
    for (const key of keys) metrics[`plan.${key}`] = diags.reduce((a, d) => a + d[key], 0) / diags.length;
    if (test.expressions && test.expressions.count > 0) Object.assign(metrics, evaluateRec(model, features.patches, test.expressions, config, method, tau, grid));

    // Samples for the report: the first test images, the method's own column per real token.
    const samples: AlignmentSample[] = [];
    for (let i = 0; i < Math.min(config.eval.showImages, N); i++) {
      const real = test.words[i]!.map((w, t) => (w ? t : -1)).filter((t) => t >= 0);
      const cols = real.map((t) => (own === 'plan' ? Array.from(column(plan, i, t)) : softmax(column(sim, i, t), tau)));
      samples.push({
        index: i,
        words: real.map((t) => test.words[i]![t]!),
        content: real.map((t) => test.tokenContent[i * L + t] === 1 && test.tokenObject[i * L + t]! >= 0),
        matrix: Array.from({ length: n }, (_, p) => cols.map((c) => Number(c[p]!.toPrecision(4)))),
        kind: own === 'plan' ? 'plan' : 'similarity',
      });
    }
    return { metrics, samples };
  } finally {
    features.dispose();
  }
}
