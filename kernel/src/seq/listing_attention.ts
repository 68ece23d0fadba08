/**
 * Supervised listing attention (an auxiliary stage-1 loss, off by default: `stage1.listingAttentionWeight`).
 * The head that answer attention supervises (head 0 of the LM's last layer, answer_attention.ts) is also
 * taught, while an object listing is written ("list [SEP] circle star [EOS]"), to look at the objects of the
 * name it is about to write:
 *
 *   A[b, t, j]   the head's attention from text position t to prefix (image) position j
 *   m[b, t, j]   1 if patch j is owned by an object named like the label at t (the next listed name)
 *   L_list = mean_{positions (b, t) that predict a name} −log(Σ_j m[b, t, j] · A[b, t, j] + ε)
 *
 * The position that predicts [EOS] is left out (no object is asked for there), and so is a name none of
 * whose objects owns a patch of the grid. The loss is answer attention's (answerAttentionLoss with one
 * patch set per position, as word_attention.ts).
 *
 * Why: the names of the listing task were the weakest target (micro-F1 0.82 and 0.87 over two 20-minute
 * CPU runs) while the same model's detections named the objects better (0.92 and 0.92): a detection writes
 * each name right after that object's box, where the supervised head already looks at it; a listing must
 * find the next present name in vocabulary order with no such anchor, and only the name tokens' loss
 * teaches it where to look. This gives that lookup the dense signal REC's got from answer attention.
 */
import type { Scene } from '../data/scene_types';
import type { WordTokenizer } from '../data/word_tokenizer';
import { markOwnedPatches, patchOwners } from './patch_labels';
import type { TokenRows } from './sequence_batch';
import type { SeqExample } from './task_templates';
import type { WordAttentionTargets } from './word_attention';

/**
 * The targets of unpacked rows (one example per row; `rows` from exampleRows of `examples`) on a G×G grid:
 * in the rows of listing examples, each position whose label is an object name of the row's scene.
 */
export function listingAttentionTargets(examples: readonly SeqExample[], scenes: readonly Scene[], rows: TokenRows, grid: number, tok: WordTokenizer): WordAttentionTargets {
  if (examples.length !== rows.batch || scenes.length !== rows.batch) {
    throw new Error(`listingAttentionTargets: ${examples.length} examples and ${scenes.length} scenes for ${rows.batch} rows.`);
  }
  const P = grid * grid;
  const T = rows.length;
  const owners = patchOwners(scenes, grid);
  const patches = new Float32Array(rows.batch * T * P);
  const positions = new Float32Array(rows.batch * T);
  examples.forEach((e, b) => {
    if (e.task !== 'listing') return;
    // name id → the objects of that name
    const named = new Map<number, Set<number>>();
    scenes[b]!.objects.forEach((o, i) => {
      if (!tok.has(o.name)) return;
      const id = tok.idOf(o.name);
      (named.get(id) ?? named.set(id, new Set()).get(id)!).add(i);
    });
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (!(rows.weights[i]! > 0) || rows.labels[i] === tok.eos) continue;
      const objects = named.get(rows.labels[i]!);
      if (!objects) continue;
      if (markOwnedPatches(owners, b, P, objects, patches, i * P) > 0) positions[i] = 1;
    }
  });
  return { patches, positions };
}
