/**
 * The dual encoder of one run: a ViT patch encoder, a text encoder and (optionally) a learnable
 * temperature, built from the experiment config. Owns its variables (`dispose()`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { LearnableTemperature } from '../align/temperature';
import { PatchEncoder } from '../models/patch_encoder';
import { TextEncoder } from '../models/text_encoder';
import type { ExperimentConfig } from './experiment_config';

export class DualEncoder {
  readonly image: PatchEncoder;
  readonly text: TextEncoder;
  readonly temperature: LearnableTemperature | null;
  /** Patch grid side (imageSize / patchSize). */
  readonly grid: number;

  constructor(config: ExperimentConfig, vocabSize: number, seed: number) {
    const m = config.model;
    const common = { width: m.width, depth: m.depth, heads: m.heads, mlpWidth: m.mlpWidth, outputDim: m.outputDim, qkStd: m.qkStd };
    // distinct init streams per tower; the run seed fixes both
    this.image = new PatchEncoder({ ...common, imageSize: config.data.imageSize, patchSize: m.patchSize, channels: 3 }, 2 * seed + 1);
    this.text = new TextEncoder({ ...common, vocabSize, maxLength: config.data.textLength }, 2 * seed + 2);
    this.temperature = config.loss.learnTemperature ? new LearnableTemperature(config.loss.temperature) : null;
    this.grid = config.data.imageSize / m.patchSize;
  }

  /** Trainable variables, same order on every call. */
  variables(): tf.Variable[] {
    return [...this.image.trainableVariables(), ...this.text.trainableVariables(), ...(this.temperature?.trainableVariables() ?? [])];
  }

  /** images [B, H, W, 3] in [0, 1], tokens int32 [B, L], mask [B, L] → patches [B, n, d], tokens [B, L, d]. */
  encode(images: tf.Tensor, tokens: tf.Tensor, mask: tf.Tensor): { patches: tf.Tensor; words: tf.Tensor } {
    return { patches: this.image.forward(images), words: this.text.forward(tokens, mask) };
  }

  /** The current temperature as a number (a read: not for use inside a training step). */
  temperatureValue(fixed: number): number {
    if (!this.temperature) return fixed;
    return Math.exp(this.temperature.logTemperature.dataSync()[0]!);
  }

  dispose(): void {
    this.image.dispose();
    this.text.dispose();
    this.temperature?.dispose();
  }
}
