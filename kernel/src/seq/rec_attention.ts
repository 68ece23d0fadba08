/**
 * Where the model looks while it writes a REC box: the attention of one LM head (default: head 0 of the
 * last layer, the head answer_attention.ts supervises) from the answer positions to the image tokens,
 * teacher-forced on the ground-truth answer, split by what each patch shows:
 *
 *   target       patches owned by the expression's object (patch_labels.ts's owner rule)
 *   sameName     patches of other objects with the target's name ("the red ring": the other rings)
 *   otherObjects patches of the remaining objects
 *   background   patches no object owns
 *   text         the rest of the row's attention (its text positions)
 *
 * Two views, per group (task_templates' recGroup, and 'all'), averaged over the expressions:
 *   box              per expression, the mean over its answer positions (as answerAttentionTargets picks
 *                    them: the box opener and coordinates and closer, not [EOS])
 *   firstCoordinate  the position that writes the first coordinate only: the decisive one — later
 *                    coordinates are conditioned on it (measured: on "the red ring" the answer-attention
 *                    model put 0.57 on the named ring there, 0.81 over the whole box)
 * Expressions whose object owns no patch are left out (n counts the measured ones).
 * It tells a lookup that picks the wrong object (sameName high) from a box read out badly (target high).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scene, SplitName } from '../data/scene_types';
import type { WordTokenizer } from '../data/word_tokenizer';
import { recAccuracy, type RecOptions } from '../evaluate';
import { answerAttentionTargets } from './answer_attention';
import type { BoxPolicy, BoxWarnings } from './box_check';
import { textRows, type LayerAttentionCapture } from './causal_lm';
import type { CoordinateCodec } from './coordinate_codec';
import type { GroundedLM } from './grounded_lm';
import type { RecPrediction } from './grounded_metrics';
import { patchOwners } from './patch_labels';
import { ScenePool } from './scene_pool';
import { exampleRows } from './sequence_batch';
import { taskTemplate, type SeqExample } from './task_templates';

export interface AttentionMass {
  /** Expressions measured. */
  n: number;
  target: number;
  sameName: number;
  otherObjects: number;
  background: number;
  text: number;
}

export interface RecAttentionOptions {
  split: SplitName;
  /** Scenes of the split (from its start). */
  count: number;
  /** Scenes per forward pass. */
  chunk: number;
  policy: BoxPolicy;
  /** The head measured (default: the last layer's head 0). */
  layer?: number;
  head?: number;
}

export interface RecAttention {
  box: Record<string, AttentionMass>;
  firstCoordinate: Record<string, AttentionMass>;
  /**
   * One entry per REC expression, in the order evaluate_grounded.ts scores them (scenes in order, each
   * scene's expressions in template order): its record and its box mass on the named object (null when
   * its object owns no patch). Not stored in metrics.json; `onTargetAccuracy` summarises it.
   */
  expressions: { record: string; target: number | null }[];
}

/**
 * The REC accuracy of the expressions on whose object the head puts at least `minMass` of its attention
 * over the box: how well a box is read out once the lookup is right. `rec`: the evaluation's
 * predictions, in the same order as `expressions` (checked by record).
 */
export function onTargetAccuracy(expressions: RecAttention['expressions'], rec: readonly RecPrediction[], minMass: number, options: RecOptions = {}): { minMass: number; n: number; accuracy: number } {
  if (expressions.length !== rec.length) throw new Error(`onTargetAccuracy: ${expressions.length} expressions measured, ${rec.length} REC predictions.`);
  const rows = rec.filter((r, i) => {
    const e = expressions[i]!;
    if (e.record !== r.id) throw new Error(`onTargetAccuracy: expression ${i} is of ${e.record}, its prediction of ${r.id}: not the same order.`);
    return e.target !== null && e.target >= minMass;
  });
  return { minMass, n: rows.length, accuracy: rows.length ? recAccuracy(rows, options).accuracy : NaN };
}

const PARTS = ['target', 'sameName', 'otherObjects', 'background', 'text'] as const;

/** Sums of attention masses per group, averaged at the end. */
class MassTable {
  private readonly sums = new Map<string, AttentionMass>();

  add(group: string, mass: Omit<AttentionMass, 'n'>): void {
    const s = this.sums.get(group) ?? { n: 0, target: 0, sameName: 0, otherObjects: 0, background: 0, text: 0 };
    s.n++;
    for (const k of PARTS) s[k] += mass[k];
    this.sums.set(group, s);
  }

  means(): Record<string, AttentionMass> {
    const out: Record<string, AttentionMass> = {};
    for (const [group, s] of [...this.sums].sort(([x], [y]) => x.localeCompare(y))) {
      out[group] = { n: s.n, ...Object.fromEntries(PARTS.map((k) => [k, s[k] / s.n])) } as AttentionMass;
    }
    return out;
  }
}

/** The attention masses per REC group (and 'all') of `model` on the first `count` scenes of a split. */
export function recAttentionMass(model: GroundedLM, tok: WordTokenizer, codec: CoordinateCodec, pool: ScenePool, o: RecAttentionOptions, warnings: BoxWarnings): RecAttention {
  const layer = o.layer ?? model.lm.config.depth - 1;
  const head = o.head ?? 0;
  const P = model.numPrefix;
  const grid = Math.round(Math.sqrt(P));
  const box = new MassTable();
  const first = new MassTable();
  const expressions: RecAttention['expressions'] = [];
  const count = Math.min(o.count, pool.dataset.size(o.split));
  const ctx = { codec, policy: o.policy, warnings, randomOrder: false, noiseBoxes: 0 };
  for (let start = 0; start < count; start += o.chunk) {
    const scenes: Scene[] = [];
    const examples: SeqExample[] = [];
    for (let i = start; i < Math.min(count, start + o.chunk); i++) {
      const s = pool.get(o.split, i);
      for (const e of taskTemplate('rec').build(s, ctx)) {
        scenes.push(s);
        examples.push(e);
      }
    }
    if (examples.length === 0) continue;
    const rows = exampleRows(examples, tok);
    const { positions } = answerAttentionTargets(examples, scenes, rows, grid, tok);
    const owners = patchOwners(scenes, grid);
    const T = rows.length;
    const { width: W, height: H } = scenes[0]!;
    const attention = tf.tidy(() => {
      const capture: LayerAttentionCapture = { layer, head };
      const prefix = model.prefix(tf.tensor4d(ScenePool.pixels(scenes), [scenes.length, H, W, 3]));
      model.textLogits(tf.tensor2d(rows.ids, [rows.batch, T], 'int32'), prefix, undefined, capture);
      return textRows(capture.attention!, T); // [B, T, P + T]: text queries → all keys
    });
    const a = attention.dataSync();
    attention.dispose();
    examples.forEach((e, b) => {
      const target = scenes[b]!.objects[e.object];
      const entry = { record: e.record, target: null as number | null };
      expressions.push(entry);
      if (!target) return;
      const at = (t: number): Omit<AttentionMass, 'n'> => {
        const mass = { target: 0, sameName: 0, otherObjects: 0, background: 0, text: 0 };
        const row = (b * T + t) * (P + T);
        for (let j = 0; j < P; j++) {
          const owner = owners[b * P + j]!;
          const part = owner === e.object ? 'target' : owner < 0 ? 'background' : scenes[b]!.objects[owner]!.name === target.name ? 'sameName' : 'otherObjects';
          mass[part] += a[row + j]!;
        }
        for (let j = P; j < P + T; j++) mass.text += a[row + j]!;
        return mass;
      };
      const answer: number[] = [];
      for (let t = 0; t < T; t++) if (positions[b * T + t] !== 0) answer.push(t);
      if (answer.length < 2) return;
      const each = answer.map(at);
      const mean = Object.fromEntries(PARTS.map((k) => [k, each.reduce((x, m) => x + m[k], 0) / each.length])) as Omit<AttentionMass, 'n'>;
      entry.target = mean.target;
      // the first answer position predicts the box opener, the second one the first coordinate
      for (const g of e.group ? ['all', e.group] : ['all']) {
        box.add(g, mean);
        first.add(g, each[1]!);
      }
    });
  }
  return { box: box.means(), firstCoordinate: first.means(), expressions };
}
