/**
 * What a trained grounded LM's image tokens know: linear probes of the patch features of a stage-1
 * checkpoint for the owning object's colour, shape and size, next to the same probe on the patch's raw
 * pixels. Patches owned by an object (patch_labels.ts's owner rule) of the first 200 test scenes; a
 * softmax classifier on standardised features (Adam, 200 full-batch steps) is fitted on scenes 0–99 and
 * scored on scenes 100–199 (accuracy; chance is 1/8 for colour and shape, 1/2 for size).
 *
 *   node --import tsx bench/probes/patch_feature_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0]
 *
 * Prints one JSON line per (representation, attribute): pixels (8·8·3 values), features (the patch
 * encoder's output), prefix (the projector's output: what the LM reads).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../kernel/src/backend';
import { COLOURS, SHAPES, SIZES } from '../../kernel/src/data/scene_vocabulary';
import { patchOwners } from '../../kernel/src/seq/patch_labels';
import { ScenePool } from '../../kernel/src/seq/scene_pool';
import { linearProbe } from './linear_probe';
import { loadRunModel } from './load_run';
import { probeArgs } from './probe_args';

async function main(): Promise<void> {
  const a = probeArgs('patch_feature_probe');
  if (!a.run) throw new Error('patch_feature_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  await initBackend({ log: null });
  const { model, pool } = await loadRunModel('patch_feature_probe', a.run, arm, seed);
  const n = Math.min(200, pool.dataset.size('test'));
  const scenes = Array.from({ length: n }, (_, i) => pool.get('test', i));
  const { width: W, height: H } = scenes[0]!;
  const grid = Math.round(Math.sqrt(model.numPrefix));
  const p = W / grid;
  const P = grid * grid;
  const owners = patchOwners(scenes, grid);
  const rows = tf.tidy(() => {
    const images = tf.tensor4d(ScenePool.pixels(scenes), [n, H, W, 3]);
    const features = model.features(images); // [n, P, e]
    const pixels = tf.reshape(tf.transpose(tf.reshape(images, [n, grid, p, grid, p, 3]), [0, 1, 3, 2, 4, 5]), [n * P, p * p * 3]);
    return {
      pixels: tf.keep(pixels) as tf.Tensor2D,
      features: tf.keep(tf.reshape(features, [n * P, -1])) as tf.Tensor2D,
      prefix: tf.keep(tf.reshape(model.prefixOf(features), [n * P, -1])) as tf.Tensor2D,
    };
  });
  const owned = [...owners.keys()].filter((i) => owners[i]! >= 0);
  const train = owned.filter((i) => i < (n / 2) * P);
  const test = owned.filter((i) => i >= (n / 2) * P);
  for (const [attribute, values] of [['colour', COLOURS], ['shape', SHAPES], ['size', SIZES]] as const) {
    const y = Array.from(owners, (o, i) => (o < 0 ? -1 : (values as readonly string[]).indexOf(scenes[Math.floor(i / P)]!.objects[o]![attribute])));
    for (const [representation, X] of Object.entries(rows)) {
      console.log(JSON.stringify({ probe: 'patch-feature', run: a.run, arm, seed, representation, attribute, accuracy: linearProbe(X, y, train, test, values.length).accuracy, trainPatches: train.length, testPatches: test.length }));
    }
  }
  Object.values(rows).forEach((t) => t.dispose());
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
