/**
 * Supervised word attention (an auxiliary stage-1 loss, off by default: `stage1.wordAttentionWeight`).
 * The head that answer attention supervises (head 0 of the LM's last layer, answer_attention.ts) is also
 * taught, at every prompt position whose input is a content word (the question's words: a referring
 * expression's), to look at the objects that word names:
 *
 *   A[b, t, j]   the head's attention from text position t to prefix (image) position j
 *   m[b, t, j]   1 if patch j is owned by an object whose region phrase holds the input word at t
 *                ("red" → every red object's patches; "ring" → every ring's), else 0
 *   L_words = mean_{word positions (b, t)} −log(Σ_j m[b, t, j] · A[b, t, j] + ε)
 *
 * Words are those of the objects' region phrases except the function words ('a', 'the', 'and'); a
 * position whose word names no object owning a patch is left out. Answers are not supervised in the
 * default scope 'prompt': the REC box and the region caption's words are answer attention's (their
 * object is asked for), and the detection and listing answers use the head freely. Scope 'all' (the
 * first version) supervises every content word of a row except answer attention's positions.
 *
 * Why: on the answer-attention run (REC 0.675), at the position that writes the first coordinate of
 * "the red ring" the supervised head put 0.98 of its mass on rings but only 0.57 on the red one (0.41
 * on the other ring: chance), while layer 0 had gathered the words (one head 0.69 on the colour word,
 * one 0.78 on the shape word). The lookup's bilinear form q·k had learnt shapes, not colours. This
 * teaches the same form the question's words against the image — the local region–word alignment of
 * the seed's line (i) as attention — hoping that a query holding "red" and "ring" then scores the
 * patches matching both highest.
 *
 * Measured (one 20-minute run each, rec_attention.ts): scope 'all' left that first-coordinate mass
 * where it was (0.574) and cost detection (AP50 0.73 → 0.59, REC 0.675 → 0.613). A plausible reason:
 * at a word's own position the query is built from the word's embedding, at the answer position from
 * what layer 0 copied there (its value-output map of the embedding), so the form learnt at one does
 * not carry to the other. Scope 'prompt' (on the hybrid stem + prefix positions recipe): REC 0.864 →
 * 0.912 and 0.874 → 0.886 on two seeds of 20-minute runs (README, session 9).
 */
import type { Scene } from '../data/scene_types';
import { FUNCTION_WORDS } from '../data/scene_vocabulary';
import type { WordTokenizer } from '../data/word_tokenizer';
import { markOwnedPatches, patchOwners } from './patch_labels';
import type { PackedRows } from './packed_rows';
import type { TokenRows } from './sequence_batch';

export interface WordAttentionTargets {
  /** [B, T, P] 1 on the patches owned by the objects that the input word at (b, t) names. */
  patches: Float32Array;
  /** [B, T] 1 at the supervised text positions. */
  positions: Float32Array;
}

const FUNCTION = new Set<string>(FUNCTION_WORDS);

/**
 * Which positions word attention supervises: 'prompt' (the default) the question's words; 'all' every
 * content word of the row except the positions answer attention supervises (the first version, kept so
 * that its run can be repeated: `stage1.wordAttentionScope`).
 */
export type WordAttentionScope = 'prompt' | 'all';
export const WORD_ATTENTION_SCOPES: readonly WordAttentionScope[] = ['prompt', 'all'];

/**
 * The targets of the rows of a batch (one scene per row: exampleRows, or packedExampleRows with several
 * examples of the scene) on a G×G grid. The prompt of an example is its inputs before its first
 * weighted position (that one is [SEP], predicting the answer's first word).
 * `answerPositions` [B, T] (scope 'all'): the positions answer attention supervises, left out.
 */
export function wordAttentionTargets(scenes: readonly Scene[], rows: TokenRows | PackedRows, grid: number, tok: WordTokenizer, scope: WordAttentionScope = 'prompt', answerPositions?: Float32Array): WordAttentionTargets {
  if (scenes.length !== rows.batch) throw new Error(`wordAttentionTargets: ${scenes.length} scenes for ${rows.batch} rows.`);
  const T = rows.length;
  if (answerPositions && answerPositions.length !== rows.batch * T) throw new Error(`wordAttentionTargets: answerPositions has ${answerPositions.length} entries, expected B·T = ${rows.batch}·${T}.`);
  const P = grid * grid;
  const segments = 'packing' in rows ? rows.packing.segments : null;
  const owners = patchOwners(scenes, grid);
  const patches = new Float32Array(rows.batch * T * P);
  const positions = new Float32Array(rows.batch * T);
  scenes.forEach((s, b) => {
    // word id → the objects whose phrase holds it
    const named = new Map<number, Set<number>>();
    s.objects.forEach((o, i) => {
      for (const w of o.regionPhrase.split(' ')) {
        if (w.length === 0 || FUNCTION.has(w) || !tok.has(w)) continue;
        const id = tok.idOf(w);
        (named.get(id) ?? named.set(id, new Set()).get(id)!).add(i);
      }
    });
    // a segment's prompt ends at its first weighted position (one segment per row unless packed)
    let segment = -1;
    let answering = false;
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      const seg = segments ? segments[i]! : 0;
      if (seg !== segment) [segment, answering] = [seg, false];
      if (rows.weights[i]! > 0) answering = true;
      if (scope === 'prompt' && answering) continue;
      if (answerPositions && answerPositions[i]! > 0) continue;
      const objects = named.get(rows.ids[i]!);
      if (!objects) continue;
      if (markOwnedPatches(owners, b, P, objects, patches, i * P) > 0) positions[i] = 1;
    }
  });
  return { patches, positions };
}
