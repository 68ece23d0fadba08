import * as tf from '@tensorflow/tfjs-core';
import { assertPositiveInt, mergeConfig } from './config';
import { ConvStem } from './conv_stem';
import { normalInit } from './init';
import { sincos2d } from './sincos_positions';
import { LayerNorm } from './layer_norm';
import { Linear } from './linear';
import { Module } from './module';
import { TransformerBlock } from './transformer_block';

/** A ViT patch encoder's hyper-parameters. The defaults are the benchmark model (shared/bench-workloads.md). */
export interface PatchEncoderConfig {
  /** Input images are imageSize × imageSize × channels, values in [0, 1]. */
  imageSize: number;
  channels: number;
  /** Square patch side; imageSize must be a multiple. n = (imageSize / patchSize)² patches. */
  patchSize: number;
  /** Transformer width d. */
  width: number;
  /** Number of transformer blocks. */
  depth: number;
  heads: number;
  mlpWidth: number;
  /** Per-patch output projection width. */
  outputDim: number;
  lnEps: number;
  /**
   * How pixels become patch tokens: 'linear' (ViT: one Linear of each flattened p×p patch), 'conv'
   * (conv_stem.ts: log₂(p) stride-2 stages with 3×3 convolutions; p must be a power of two) or 'hybrid'
   * (the two summed: the conv stem's tokens plus the linear map of the patch's pixels, so that what one
   * linear map of the pixels tells — a patch's colour — is in the tokens from the first step).
   */
  stem: 'linear' | 'conv' | 'hybrid';
  /** The 'conv' stem's first-stage channels (doubled per stage, capped at width; conv_stem.ts stemChannels). */
  stemChannels: number;
  /** Init std of the attention's query/key weights: 0.02 (GPT-2, the benchmark model) or e.g. 1/√width. */
  qkStd: number;
  /**
   * Initial (learnt) position embeddings: 'normal' (N(0, 0.02²), the benchmark model) or 'sincos' (a 2-D
   * sin-cos code, sincos_positions.ts, its entries as large as a patch token's at init: the position of a
   * patch is readable from the first step).
   */
  posInit: 'normal' | 'sincos';
}

export const DEFAULT_PATCH_ENCODER_CONFIG: Readonly<PatchEncoderConfig> = Object.freeze({
  imageSize: 64,
  channels: 3,
  patchSize: 8,
  width: 128,
  depth: 2,
  heads: 4,
  mlpWidth: 512,
  outputDim: 128,
  lnEps: 1e-5,
  stem: 'linear',
  stemChannels: 16,
  qkStd: 0.02,
  posInit: 'normal',
});

/** The defaults with `overrides` applied; throws on unknown keys, wrong types and inconsistent sizes. */
export function patchEncoderConfig(overrides: Partial<PatchEncoderConfig> = {}): PatchEncoderConfig {
  const c = mergeConfig('PatchEncoderConfig', DEFAULT_PATCH_ENCODER_CONFIG, overrides);
  for (const key of ['imageSize', 'channels', 'patchSize', 'width', 'depth', 'heads', 'mlpWidth', 'outputDim', 'stemChannels'] as const) {
    assertPositiveInt(`PatchEncoderConfig.${key}`, c[key]);
  }
  if (c.imageSize % c.patchSize !== 0) {
    throw new Error(`PatchEncoderConfig.patchSize: ${c.patchSize} does not divide imageSize ${c.imageSize}`);
  }
  if (!(c.qkStd > 0)) throw new Error(`PatchEncoderConfig.qkStd: expected a positive number, got ${c.qkStd}`);
  if (c.posInit !== 'normal' && c.posInit !== 'sincos') throw new Error(`PatchEncoderConfig.posInit: expected 'normal' or 'sincos', got '${c.posInit}'`);
  if (c.posInit === 'sincos' && c.width % 4 !== 0) throw new Error(`PatchEncoderConfig.posInit: 'sincos' needs a width divisible by 4, got ${c.width}`);
  if (!['linear', 'conv', 'hybrid'].includes(c.stem)) throw new Error(`PatchEncoderConfig.stem: expected 'linear', 'conv' or 'hybrid', got '${c.stem}'`);
  if (c.stem !== 'linear' && !Number.isInteger(Math.log2(c.patchSize))) {
    throw new Error(`PatchEncoderConfig.patchSize: the '${c.stem}' stem needs a power of two; got ${c.patchSize}`);
  }
  if (c.width % c.heads !== 0) throw new Error(`PatchEncoderConfig.heads: ${c.heads} does not divide width ${c.width}`);
  return c;
}

/**
 * Vision transformer over non-overlapping patches (Dosovitskiy et al. 2021), no class token:
 * patches → Linear(p²·C → d) + learned positions → depth × pre-LN block → LN → Linear(d → outputDim)
 * per patch. Returns one feature per patch, [B, n, outputDim], patches in row-major grid order.
 *
 * @example
 *   const enc = new PatchEncoder({}, 0);        // the benchmark model, seed 0
 *   const feats = enc.forward(images);          // [B, 64, 64, 3] → [B, 64, 128]
 *   enc.dispose();
 */
export class PatchEncoder extends Module {
  readonly config: Readonly<PatchEncoderConfig>;
  readonly numPatches: number;
  /** The patch embedding: a Linear of flattened patches ('linear' stem) or a ConvStem ('conv', 'hybrid'). */
  readonly embed: Linear | ConvStem;
  /** The 'hybrid' stem's Linear of flattened patches, added to the conv stem's tokens; null otherwise. */
  readonly pixelEmbed: Linear | null;
  readonly pos: tf.Variable; // [n, d]
  readonly blocks: TransformerBlock[];
  readonly lnFinal: LayerNorm;
  readonly proj: Linear;

  constructor(overrides: Partial<PatchEncoderConfig> = {}, readonly seed = 0) {
    super();
    const c = (this.config = Object.freeze(patchEncoderConfig(overrides)));
    const grid = c.imageSize / c.patchSize;
    this.numPatches = grid * grid;
    const pixels = (name: string) => this.child(name, new Linear(c.patchSize * c.patchSize * c.channels, c.width, seed, name));
    this.embed = c.stem === 'linear' ? pixels('embed') : this.child('stem', new ConvStem(c.patchSize, c.channels, c.width, seed, c.stemChannels));
    this.pixelEmbed = c.stem === 'hybrid' ? pixels('pixelEmbed') : null;
    // sincos: entries of the RMS of a patch token at init (0.02-std weights over p²·C inputs uniform in [0, 1])
    const tokenRms = 0.02 * Math.sqrt((c.patchSize * c.patchSize * c.channels) / 3);
    this.pos = this.param('pos', c.posInit === 'sincos' ? tf.tidy(() => tf.variable(sincos2d(grid, c.width, tokenRms * Math.SQRT2), true)) : normalInit([this.numPatches, c.width], 0.02, seed, 'pos'));
    this.blocks = Array.from({ length: c.depth }, (_, i) =>
      this.child(`blocks.${i}`, new TransformerBlock(c, seed, `blocks.${i}`)),
    );
    this.lnFinal = this.child('lnFinal', new LayerNorm(c.width, c.lnEps));
    this.proj = this.child('proj', new Linear(c.width, c.outputDim, seed, 'proj'));
  }

  /** images [B, H, W, C] in [0, 1] → patch features [B, n, outputDim]. */
  forward(images: tf.Tensor): tf.Tensor {
    const c = this.config;
    const s = images.shape;
    if (images.rank !== 4 || s[1] !== c.imageSize || s[2] !== c.imageSize || s[3] !== c.channels) {
      throw new Error(
        `PatchEncoder.forward: images must be [B, ${c.imageSize}, ${c.imageSize}, ${c.channels}], got [${s}]`,
      );
    }
    const stemTokens = this.embed instanceof ConvStem ? this.embed.forward(images) : this.embed.forward(patchify(images, c.patchSize)); // [B, n, d]
    const tokens = this.pixelEmbed ? tf.add(stemTokens, this.pixelEmbed.forward(patchify(images, c.patchSize))) : stemTokens; // [B, n, d]
    let x = tf.add(tokens, this.pos); // [B, n, d]
    for (const block of this.blocks) x = block.forward(x); // [B, n, d]
    return this.proj.forward(this.lnFinal.forward(x)); // [B, n, outputDim]
  }
}

/** [B, H, W, C] → [B, n, p·p·C]: patches in row-major grid order, each flattened as (row, col, channel). */
export function patchify(images: tf.Tensor, p: number): tf.Tensor {
  const [B, H, W, C] = images.shape;
  const gh = H / p;
  const gw = W / p;
  const rows = tf.reshape(images, [B * gh, p, gw, p * C]); // [B·gh, p, gw, p·C]
  const patches = tf.transpose(rows, [0, 2, 1, 3]); // [B·gh, gw, p, p·C]
  return tf.reshape(patches, [B, gh * gw, p * p * C]); // [B, n, p·p·C]
}
