/**
 * Supervised answer attention (an auxiliary stage-1 loss, off by default: `stage1.answerAttentionWeight`).
 * For the examples about one object — REC (expression → box) and region captions (box → phrase) — one
 * attention head of the LM's last layer is taught to look at that object while the answer is written:
 *
 *   A[b, t, j]  the head's attention from text position t to prefix (image) position j
 *   m[b, j]     1 if patch j is owned by the example's object (patch_labels.ts's owner rule), else 0
 *   L_attn = mean_{answer positions (b, t)} −log(Σ_j m[b, j] · A[b, t, j] + ε)
 *
 * over the positions that predict an answer word other than [EOS] (rows whose object owns no patch are
 * left out). Only the mass on the object's patches is asked for, not how it is spread among them.
 *
 * Why: with the patch losses on, the image tokens hold each object's shape (patch accuracy 0.97 with the
 * conv stem) and box, yet REC stayed at 0.48 — "the ring" was answered right only half the time. The
 * lookup itself (the expression's words selecting the image tokens of their object) is learnt only
 * through the coordinate tokens' loss, a signal that stays weak until the value path already reads
 * boxes. This gives the lookup its own dense signal. Attention supervision of this kind: Liu et al.
 * 2017 (attention correctness in captioning), Qiao et al. 2018 (human-like attention supervision in
 * VQA); here the ground truth is the object's own patches, so it is exact. Evaluation uses no boxes.
 *
 * Packed rows (several examples of one scene in a row, packed_rows.ts) have one object per segment, so
 * their targets are per position ([B, T, P], like word_attention.ts's): each answer position gets the
 * patches of its own segment's object.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scene } from '../data/scene_types';
import type { WordTokenizer } from '../data/word_tokenizer';
import { textRows } from './causal_lm';
import { markOwnedPatches, patchOwners } from './patch_labels';
import type { PackedRows } from './packed_rows';
import type { TokenRows } from './sequence_batch';
import type { SeqExample } from './task_templates';
import type { WordAttentionTargets } from './word_attention';

export interface AnswerAttentionTargets {
  /** [B, P] 1 on the patches the row's object owns. */
  patches: Float32Array;
  /** [B, T] 1 at the text positions whose attention is supervised. */
  positions: Float32Array;
}

/**
 * The targets of unpacked rows (one example per row; `rows` from exampleRows of `examples`): rows about
 * one object (example.object ≥ 0) whose object owns at least one patch of the G×G grid.
 */
export function answerAttentionTargets(examples: readonly SeqExample[], scenes: readonly Scene[], rows: TokenRows, grid: number, tok: WordTokenizer): AnswerAttentionTargets {
  if (examples.length !== rows.batch || scenes.length !== rows.batch) {
    throw new Error(`answerAttentionTargets: ${examples.length} examples and ${scenes.length} scenes for ${rows.batch} rows.`);
  }
  const P = grid * grid;
  const T = rows.length;
  const owners = patchOwners(scenes, grid);
  const patches = new Float32Array(rows.batch * P);
  const positions = new Float32Array(rows.batch * T);
  examples.forEach((e, b) => {
    if (e.object < 0) return;
    let owned = 0;
    for (let p = 0; p < P; p++) {
      if (owners[b * P + p] === e.object) {
        patches[b * P + p] = 1;
        owned++;
      }
    }
    if (owned === 0) return;
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (rows.weights[i]! > 0 && rows.labels[i] !== tok.eos) positions[i] = 1;
    }
  });
  return { patches, positions };
}

/**
 * The targets of packed rows (`examples[b]` are the segments of row b, in order; `rows` from
 * packedExampleRows of `examples`), per position: a position that predicts an answer word other than
 * [EOS] of a segment about one object gets that object's patches — if it owns any; every other
 * position is left out. A segment's targets are those of its example alone in an unpacked row.
 */
export function packedAnswerAttentionTargets(examples: readonly (readonly SeqExample[])[], scenes: readonly Scene[], rows: PackedRows, grid: number, tok: WordTokenizer): WordAttentionTargets {
  if (examples.length !== rows.batch || scenes.length !== rows.batch) {
    throw new Error(`packedAnswerAttentionTargets: ${examples.length} rows of examples and ${scenes.length} scenes for ${rows.batch} rows.`);
  }
  const P = grid * grid;
  const T = rows.length;
  const owners = patchOwners(scenes, grid);
  const patches = new Float32Array(rows.batch * T * P);
  const positions = new Float32Array(rows.batch * T);
  for (let b = 0; b < rows.batch; b++) {
    const objectOf = examples[b]!.map((e) => (e.object >= 0 ? new Set([e.object]) : null)); // per segment
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      const object = objectOf[rows.packing.segments[i]!];
      if (!object || !(rows.weights[i]! > 0) || rows.labels[i] === tok.eos) continue;
      if (markOwnedPatches(owners, b, P, object, patches, i * P) > 0) positions[i] = 1;
    }
  }
  return { patches, positions };
}

/**
 * attention [B, P + T, P + T] (one head, causal_lm.ts capture; [B, T, P + T] under prefix attention
 * 'memory') and the targets → the mean −log mass on the target patches over the supervised positions
 * (a scalar; 0 when none). `patches` is [B, P] (one set per row: the answer's object) or [B, T, P] (one
 * per position: word_attention.ts).
 */
export function answerAttentionLoss(attention: tf.Tensor, P: number, patches: tf.Tensor2D | tf.Tensor3D, positions: tf.Tensor2D): tf.Scalar {
  const [B, , L] = attention.shape as [number, number, number];
  const T = L - P;
  const toImage = tf.slice(textRows(attention, T), [0, 0, 0], [B, T, P]); // [B, T, P]: text queries → prefix keys
  const mask = patches.rank === 2 ? tf.reshape(patches, [B, 1, P]) : patches;
  const mass = tf.sum(tf.mul(toImage, mask), -1); // [B, T]
  const nll = tf.neg(tf.log(tf.add(mass, 1e-6))); // [B, T]
  return tf.div(tf.sum(tf.mul(nll, positions)), tf.maximum(tf.sum(positions), 1)) as tf.Scalar;
}
