/**
 * A probe of how fast a patch encoder learns the grounded scenes' object attributes: a PatchEncoder,
 * mean-pooled, and a linear multi-label head ("which shapes / colours are in the image"), trained with
 * Adam on sigmoid cross-entropy; test micro-F1 on 200 test scenes every 100 steps. It isolates the
 * encoder from the grounded LM: when this probe cannot tell shapes apart, no decoder can name or find them.
 *
 *   node --import tsx bench/probes/attribute_probe.ts [--target shape|colour] [--stem linear|conv]
 *        [--patch 8] [--width 64] [--qk-std 0.02] [--lr 1e-3] [--steps 1200] [--seed 0]
 *
 * Prints one JSON line per evaluation: {"probe":"attribute","target",...,"step","loss","testF1","seconds"}.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../kernel/src/backend';
import { GroundedScenes } from '../../kernel/src/data/grounded_scenes';
import { COLOURS, SHAPES } from '../../kernel/src/data/scene_vocabulary';
import { Linear, PatchEncoder } from '../../kernel/src/models';
import { ScenePool } from '../../kernel/src/seq/scene_pool';
import { SeededRandom } from '../../kernel/src/util/seeded_random';
import { probeArgs } from './probe_args';

async function main(): Promise<void> {
  const a = probeArgs('attribute_probe');
  const target = a.target ?? 'shape';
  if (target !== 'shape' && target !== 'colour') throw new Error(`attribute_probe: --target must be shape or colour; got '${target}'.`);
  const width = Number(a.width ?? 64);
  const steps = Number(a.steps ?? 1200);
  const seed = Number(a.seed ?? 0);
  await initBackend({ log: null });
  const classes: readonly string[] = target === 'shape' ? SHAPES : COLOURS;
  const enc = new PatchEncoder({ imageSize: 64, patchSize: Number(a.patch ?? 8), width, depth: 2, heads: 4, mlpWidth: 4 * width, outputDim: width, stem: (a.stem ?? 'linear') as 'linear' | 'conv', qkStd: Number(a['qk-std'] ?? 0.02) }, seed);
  const head = new Linear(width, classes.length, seed + 1, 'probe.head', 0.1);
  const pool = new ScenePool(new GroundedScenes({ seed: 0, imageSize: 64, splits: { train: 20000, val: 1, test: 200 } }));
  const rng = new SeededRandom(seed);
  const batch = (split: 'train' | 'test', idx: number[]) => {
    const scenes = idx.map((i) => pool.get(split, i));
    const y = new Float32Array(scenes.length * classes.length);
    scenes.forEach((s, b) => s.objects.forEach((o) => (y[b * classes.length + classes.indexOf(target === 'shape' ? o.shape : o.colour)] = 1)));
    return { x: tf.tensor4d(ScenePool.pixels(scenes), [scenes.length, 64, 64, 3]), y: tf.tensor2d(y, [scenes.length, classes.length]) };
  };
  const logits = (x: tf.Tensor) => head.forward(tf.mean(enc.forward(tf.div(tf.sub(x, 0.25), 0.3)), 1)); // [B, classes]
  const vars = [...enc.trainableVariables(), ...head.trainableVariables()];
  const opt = tf.train.adam(Number(a.lr ?? 1e-3));
  const test = batch('test', Array.from({ length: 200 }, (_, i) => i));
  const t0 = Date.now();
  for (let step = 1; step <= steps; step++) {
    const { x, y } = batch('train', Array.from({ length: 32 }, () => rng.int(20000)));
    const loss = opt.minimize(() => tf.losses.sigmoidCrossEntropy(y, logits(x)) as tf.Scalar, true, vars)!;
    if (step % 100 === 0 || step === steps) {
      const [tp, predicted, actual] = tf.tidy(() => {
        const p = tf.cast(tf.greater(logits(test.x), 0), 'float32');
        return [tf.sum(tf.mul(p, test.y)), tf.sum(p), tf.sum(test.y)].map((t) => t.dataSync()[0]!);
      }) as unknown as number[];
      const f1 = (2 * tp!) / (predicted! + actual!);
      console.log(JSON.stringify({ probe: 'attribute', target, stem: a.stem ?? 'linear', patch: Number(a.patch ?? 8), qkStd: Number(a['qk-std'] ?? 0.02), step, loss: Number(loss.dataSync()[0]!.toFixed(4)), testF1: Number(f1.toFixed(3)), seconds: Math.round((Date.now() - t0) / 1000) }));
    }
    tf.dispose([x, y, loss]);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
