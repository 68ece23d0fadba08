/**
 * The grounded LM (Shikra / LLaVA style): a ViT patch encoder, a linear projector into the LM's width,
 * and the causal LM, which reads the projected patches as a prefix of P "image tokens":
 *
 *   images [B, H, W, 3] → PatchEncoder → [B, P, e] → projector → [B, P, d] = prefix
 *   hidden = CausalLM.forward(ids [B, T], prefix) [B, P + T, d] ([B, T, d] under prefix attention 'memory');  logits of the T text positions [B, T, V]
 *
 * Optional parts (`GroundedLMParts`): box slots (box_slots.ts), an embedding of each text position's
 * place in a box; box copy (box_copy.ts), coordinate logits copied from the image tokens the LM looks at;
 * prefix positions (prefix_positions.ts), a position code added to the image tokens after the projector;
 * image summary (image_summary.ts), a maximum over the image tokens added to every text position.
 *
 * Variables, in `variables()` order: encoder, projector, LM, box slots, box copy, prefix positions, image
 * summary (the checkpoint order).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, PatchEncoder, type PatchEncoderConfig } from '../models';
import type { BoxCopy } from './box_copy';
import type { BoxSlotEmbedding } from './box_slots';
import type { ImageSummary } from './image_summary';
import { textRows, type CausalLM, type LayerAttentionCapture, type PackingLayout } from './causal_lm';
import type { PrefixPositions } from './prefix_positions';

/** The optional parts of a GroundedLM (owned by it once passed). */
export interface GroundedLMParts {
  slots?: BoxSlotEmbedding | null;
  boxCopy?: BoxCopy | null;
  prefixPositions?: PrefixPositions | null;
  imageSummary?: ImageSummary | null;
}

const PIXEL_MEAN = 0.25;
const PIXEL_STD = 0.3;

export class GroundedLM extends Module {
  readonly encoder: PatchEncoder;
  readonly projector: Linear;

  readonly slots: BoxSlotEmbedding | null;
  readonly boxCopy: BoxCopy | null;
  readonly prefixPositions: PrefixPositions | null;
  readonly imageSummary: ImageSummary | null;

  constructor(readonly lm: CausalLM, encoderConfig: Partial<PatchEncoderConfig>, seed: number, parts: GroundedLMParts = {}) {
    super();
    this.encoder = this.child('encoder', new PatchEncoder(encoderConfig, seed));
    this.projector = this.child('projector', new Linear(this.encoder.config.outputDim, lm.config.width, seed, 'projector'));
    this.child('lm', lm);
    this.slots = parts.slots ?? null;
    this.boxCopy = parts.boxCopy ?? null;
    this.prefixPositions = parts.prefixPositions ?? null;
    this.imageSummary = parts.imageSummary ?? null;
    if (this.prefixPositions && this.prefixPositions.grid ** 2 !== this.encoder.numPatches) {
      throw new Error(`GroundedLM: the prefix positions cover ${this.prefixPositions.grid ** 2} patches, the encoder makes ${this.encoder.numPatches}.`);
    }
    for (const [name, part] of [['boxSlots', this.slots], ['boxCopy', this.boxCopy], ['prefixPositions', this.prefixPositions], ['imageSummary', this.imageSummary]] as const) {
      if (!part) continue;
      if (part.width !== lm.config.width) throw new Error(`GroundedLM: the ${name} part is ${part.width} wide, the LM ${lm.config.width}.`);
      this.child(name, part);
    }
  }

  get numPrefix(): number {
    return this.encoder.numPatches;
  }

  /**
   * images [B, H, W, 3] in [0, 1] → prefix embeddings [B, P, d]. Pixels are standardised first
   * ((x − 0.25) / 0.3, about the scenes' mean and spread): raw [0, 1] inputs share a large positive
   * component, and Adam's first updates of the 768-wide patch embedding then add the same large vector
   * to every patch, which drowns the differences between images (measured: a 2-image memorisation
   * test stays at ln 2 without this, and reaches ~0.07 with it in 40 steps).
   */
  prefix(images: tf.Tensor): tf.Tensor {
    return this.prefixOf(this.features(images)); // [B, P, d]
  }

  /** The patch encoder's features [B, P, e] → prefix embeddings [B, P, d] (projector, then prefix positions when on). */
  prefixOf(features: tf.Tensor): tf.Tensor {
    const projected = this.projector.forward(features); // [B, P, d]
    return this.prefixPositions ? this.prefixPositions.forward(projected) : projected;
  }

  /** images [B, H, W, 3] in [0, 1] → the patch encoder's features [B, P, e] (before the projector). */
  features(images: tf.Tensor): tf.Tensor {
    const x = tf.div(tf.sub(images, PIXEL_MEAN), PIXEL_STD); // [B, H, W, 3]
    return this.encoder.forward(x); // [B, P, e]
  }

  /**
   * Logits of the text positions: ids [B, T], prefix [B, P, d] → [B, T, V]; `packing`: packed rows
   * (seq/packed_rows.ts); `capture`: keep one LM head's attention (causal_lm.ts).
   */
  textLogits(ids: tf.Tensor, prefix: tf.Tensor, packing?: PackingLayout, capture?: LayerAttentionCapture): tf.Tensor {
    const [B, T] = ids.shape as [number, number];
    const P = prefix.shape[1]!;
    // box copy reads head 0 of the last layer: a caller's capture must be of that head, and is shared
    const last = this.lm.config.depth - 1;
    if (this.boxCopy && capture && !(capture.layer === last && capture.head === 0)) {
      throw new Error(`GroundedLM.textLogits: with box copy on, a capture must start at head 0 of the last layer (${last}); got layer ${capture.layer}, head ${capture.head}.`);
    }
    const looks = this.boxCopy ? (capture ?? { layer: last, head: 0 }) : capture;
    const hidden = this.lm.forward(ids, prefix, packing, looks, this.textInput(ids, prefix)); // [B, P + T, d] or [B, T, d]
    const text = textRows(hidden, T); // [B, T, d]
    const logits = this.lm.logits(text); // [B, T, V]
    if (!this.boxCopy) return logits;
    const toImage = tf.slice(textRows(looks!.attention!, T), [0, 0, 0], [B, T, P]); // [B, T, P]: text queries → image keys
    return tf.add(logits, this.boxCopy.logits(ids, prefix, toImage, this.lm.embeddingTable())); // [B, T, V]
  }

  /** What the optional parts add to the text inputs [B, T, d] (box slots, image summary), or undefined when none is on. */
  private textInput(ids: tf.Tensor, prefix: tf.Tensor): tf.Tensor | undefined {
    const slots = this.slots?.forward(ids); // [B, T, d]
    const summary = this.imageSummary?.forward(prefix); // [B, 1, d]
    if (slots && summary) return tf.add(slots, summary); // [B, T, d]
    return slots ?? (summary ? tf.tile(summary, [1, ids.shape[1]!, 1]) : undefined); // [B, T, d]
  }

  variables(): tf.Variable[] {
    return this.trainableVariables();
  }
}
