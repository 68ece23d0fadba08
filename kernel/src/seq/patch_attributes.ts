/**
 * Dense colour and size supervision of the patch encoder (an auxiliary stage-1 loss, off by default:
 * `stage1.patchAttributeWeight`): like the patch labels (patch_labels.ts), each patch is classified by
 * the object that owns it — here by that object's colour and by its size, two linear heads on the
 * encoder's features:
 *
 *   colour[b, p] = 1 + COLOURS.indexOf(owner's colour)   or 0 (background)
 *   size[b, p]   = 1 + SIZES.indexOf(owner's size)       or 0
 *   L_attr = CE(W_c · feature, colour) + CE(W_s · feature, size)      (means over all patches)
 *
 * Why: a linear probe of the answer-attention model's patch features (REC 0.675; trained on test scenes
 * 0–99, scored on 100–199, owned patches) read the owner's shape at 0.96 and its size at 0.995 but its
 * colour at 0.14 — chance for 8 colours — while the same probe on the patch's raw pixels reads colour
 * at 0.86. The encoder had dropped colour: no loss asked for it strongly enough (the patch labels ask for
 * the shape, the patch boxes for the box; colour reaches it only through the patch words' bag and the
 * REC answers). So "the red ring" could not be told from the blue ring: the supervised head put 0.57
 * of its mass on the named ring at the first coordinate (rec_attention.ts), and colour words attended
 * to their objects at 0.52 even when taught to (word_attention.ts), shape words at 0.99.
 *
 * The grounded scenes only: dataset records carry names, not colours and sizes.
 */
import { COLOURS, SIZES } from '../data/scene_vocabulary';
import type { Scene } from '../data/scene_types';
import { patchOwners } from './patch_labels';

export type PatchAttribute = 'colour' | 'size';

const VALUES: Record<PatchAttribute, readonly string[]> = { colour: COLOURS, size: SIZES };

/** The number of classes of an attribute (background excluded). */
export function attributeClasses(attribute: PatchAttribute): number {
  return VALUES[attribute].length;
}

/**
 * [B·G·G] int32 labels (row-major patches): 1 + the index of the owner's value of `attribute`, 0 for
 * background. An object without the attribute (a dataset record) is an error naming its scene.
 */
export function patchAttributeLabels(scenes: readonly Scene[], grid: number, attribute: PatchAttribute): Int32Array {
  const values = VALUES[attribute];
  const owners = patchOwners(scenes, grid);
  const P = grid * grid;
  return owners.map((o, p) => {
    if (o < 0) return 0;
    const s = scenes[Math.floor(p / P)]!;
    const k = values.indexOf(s.objects[o]![attribute]); // −1 when a record's object lacks it
    if (k < 0) throw new Error(`patchAttributeLabels: object ${o} of ${s.split}#${s.index} has no ${attribute} (one of ${values.join(', ')}); the patch-attribute loss needs the grounded scenes' attributes.`);
    return 1 + k;
  });
}
