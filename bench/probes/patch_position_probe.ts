/**
 * Whether a grounded-lm run's image tokens carry where they are, and how much of the patch-box target
 * that alone explains: linear softmax probes (patch_feature_probe.ts's fit: scenes 0–99 of the test
 * split, scored on 100–199 — `--scenes N` for the first N/2 and the rest; owned patches only) from
 *
 *   features  the patch encoder's output          prefix  the projector's output (what the LM and the patch-box head read)
 *   position  a one-hot of the patch's grid index (the best any read-out of position alone can do)
 *
 * to the patch's column, its row, and the owning object's box code per coordinate (x1 y1 x2 y2 of the run's
 * codec; test cross-entropy in nats, chance ln N). Next to them, the run's own patch-box head's cross-entropy
 * on the same test patches. A head near the marginal entropy while the `prefix` probe of the box code is near
 * the `position` one means the position is there and the head does not use it. Last, two exact references
 * from the counts on the probed scenes: the entropy of each box coordinate's code over owned patches
 * (`marginal`), and its conditional entropy given the patch's grid cell (`given position`: the loss of the
 * best read-out that knows only where the patch is, before any fit).
 *
 *   node --import tsx bench/probes/patch_position_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0] [--scenes 200] [--split test]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../kernel/src/backend';
import { newBoxWarnings } from '../../kernel/src/seq/box_check';
import { coordinateRows, patchBoxTargets, tokensPerBox } from '../../kernel/src/seq/patch_boxes';
import { patchOwners } from '../../kernel/src/seq/patch_labels';
import { ScenePool } from '../../kernel/src/seq/scene_pool';
import { linearProbe } from './linear_probe';
import { loadRunHeads } from './load_run';
import { probeArgs } from './probe_args';

// a small L2 keeps the one-hot position probe from fitting cells seen a few times to ±∞
const L2 = 1e-3;

async function main(): Promise<void> {
  const a = probeArgs('patch_position_probe');
  if (!a.run) throw new Error('patch_position_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  await initBackend({ log: null });
  const { model, tok, codec, pool, heads } = await loadRunHeads('patch_position_probe', a.run, arm, seed);
  const split = (a.split ?? 'test') as 'train' | 'test';
  if (split !== 'train' && split !== 'test') throw new Error(`patch_position_probe: --split must be 'train' or 'test'; got '${a.split}'.`);
  const n = Math.min(Number(a.scenes ?? 200), pool.dataset.size(split));
  if (!(Number.isInteger(n) && n >= 4 && n % 2 === 0)) throw new Error(`patch_position_probe: --scenes must be an even integer ≥ 4; got '${a.scenes}'.`);
  const scenes = Array.from({ length: n }, (_, i) => pool.get(split, i));
  const { width: W, height: H } = scenes[0]!;
  const grid = Math.round(Math.sqrt(model.numPrefix));
  const P = grid * grid;
  const L = tokensPerBox(codec);
  const owners = patchOwners(scenes, grid);
  const targets = patchBoxTargets(scenes, grid, codec, { clipBoxes: false }, newBoxWarnings());
  const rows = tf.tidy(() => {
    const features = model.features(tf.tensor4d(ScenePool.pixels(scenes), [n, H, W, 3])); // [n, P, e]
    return {
      features: tf.keep(tf.reshape(features, [n * P, -1])) as tf.Tensor2D,
      prefix: tf.keep(tf.reshape(model.prefixOf(features), [n * P, -1])) as tf.Tensor2D,
      position: tf.keep(tf.tile(tf.eye(P), [n, 1])) as tf.Tensor2D,
    };
  });
  const owned = [...owners.keys()].filter((i) => owners[i]! >= 0);
  const train = owned.filter((i) => i < (n / 2) * P);
  const test = owned.filter((i) => i >= (n / 2) * P);
  const report = (representation: string, target: string, classes: number, r: { accuracy: number | null; crossEntropy: number }) =>
    console.log(JSON.stringify({ probe: 'patch-position', run: a.run, arm, seed, representation, target, classes, accuracy: r.accuracy, crossEntropy: r.crossEntropy, trainPatches: train.length, testPatches: test.length }));
  const column = Array.from(owners, (_, i) => (i % P) % grid);
  const row = Array.from(owners, (_, i) => Math.floor((i % P) / grid));
  const coordinates = ['x1', 'y1', 'x2', 'y2'].slice(0, L);
  for (const [representation, X] of Object.entries(rows)) {
    report(representation, 'column', grid, linearProbe(X, column, train, test, grid, L2));
    report(representation, 'row', grid, linearProbe(X, row, train, test, grid, L2));
    coordinates.forEach((name, k) => {
      const code = Array.from(owners, (_, i) => targets.codes[i * L + k]!);
      report(representation, `box ${name}`, codec.tokens.length, linearProbe(X, code, train, test, codec.tokens.length, L2));
    });
  }
  coordinates.forEach((name, k) => {
    const N = codec.tokens.length;
    const counts = new Float64Array(P * N);
    for (const i of owned) counts[(i % P) * N + targets.codes[i * L + k]!]!++;
    const entropy = (v: Float64Array): [number, number] => {
      const total = v.reduce((x, y) => x + y, 0);
      let h = 0;
      for (const c of v) if (c > 0) h -= (c / total) * Math.log(c / total);
      return [h, total];
    };
    const marginal = new Float64Array(N);
    let conditional = 0;
    for (let p = 0; p < P; p++) {
      const cell = counts.subarray(p * N, (p + 1) * N);
      cell.forEach((c, j) => (marginal[j]! += c));
      const [h, total] = entropy(cell);
      conditional += (h * total) / owned.length;
    }
    report('counts: marginal', `box ${name}`, N, { accuracy: null, crossEntropy: entropy(marginal)[0] });
    report('counts: given position', `box ${name}`, N, { accuracy: null, crossEntropy: conditional });
  });
  if (heads.box) {
    // the run's own head on the test half: per-coordinate cross-entropy through the coordinate embeddings
    const boxRows = coordinateRows(tok, codec);
    const half = n / 2;
    const ce = tf.tidy(() => {
      const prefix = tf.slice(tf.reshape(rows.prefix, [n, P, -1]), [half, 0, 0], [n - half, P, -1]);
      const codes = tf.tensor1d(targets.codes.slice(half * P * L), 'int32');
      return coordinates.map((_, k) => {
        const w = new Float32Array(targets.weights.slice(half * P * L)).map((v, j) => (j % L === k ? v : 0));
        return heads.box!.loss(prefix, model.lm, boxRows, codes, tf.tensor1d(w)).dataSync()[0]!;
      });
    });
    coordinates.forEach((name, k) => report('run patch-box head', `box ${name}`, codec.tokens.length, { accuracy: null, crossEntropy: ce[k]! }));
  }
  Object.values(rows).forEach((t) => t.dispose());
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
