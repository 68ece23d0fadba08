/**
 * Where the object-name extraction of a trained grounded LM fails: re-evaluates a run from its checkpoint
 * (the names micro-F1 must equal the one in its metrics.json, else it stops) and breaks the listing's
 * names down — per shape (precision, recall, F1, support), recall by the size of the shape's objects in the
 * image (only small ones / at least one large), recall by how many objects the image holds, and the
 * substitutions (a true name missed in an image where a false one was written: which for which).
 *
 *   node --import tsx bench/probes/names_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0] [--route listing|detection]
 *
 * `--route detection` breaks down the names read off the detection output instead of the listing's;
 * `--route patches` the names the run's patch-label head reads off the image tokens (a name is written when
 * it is the head's arg-max on at least one patch) — what the encoder alone knows, before the LM reads it.
 *
 * Prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../kernel/src/backend';
import type { Scene } from '../../kernel/src/data/scene_types';
import { SHAPES } from '../../kernel/src/data/scene_vocabulary';
import { namePRF } from '../../kernel/src/evaluate/name_prf';
import { ScenePool } from '../../kernel/src/seq/scene_pool';
import { loadRunHeads, reEvaluatedRun } from './load_run';
import { probeArgs } from './probe_args';

const share = (hit: number, n: number) => ({ recall: n > 0 ? Number((hit / n).toFixed(3)) : null, n });

async function main(): Promise<void> {
  const a = probeArgs('names_probe');
  if (!a.run) throw new Error('names_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  const route = a.route ?? 'listing';
  if (route !== 'listing' && route !== 'detection' && route !== 'patches') throw new Error(`names_probe: --route must be 'listing', 'detection' or 'patches'; got '${route}'.`);
  await initBackend({ log: null });
  const { ev, pool } = await reEvaluatedRun('names_probe', a.run, arm, seed, { name: 'names F1', of: (m) => m.names.micro.f1 });
  const patchNames = route === 'patches' ? await patchLabelNames(a.run, arm, seed, ev.images.map((im) => pool.get('test', Number(im.record.split('#')[1])))) : [];
  const predictedNames = (im: (typeof ev.images)[number], i: number): string[] =>
    route === 'listing' ? im.listedNames : route === 'detection' ? im.objects.map((o) => o.name) : patchNames[i]!;
  const rows = ev.images.map((im, i) => ({ predicted: predictedNames(im, i), truth: im.truthNames }));
  const prf = namePRF(rows);
  const perShape = Object.fromEntries(SHAPES.map((s) => {
    const c = prf.perName[s];
    return [s, c ? { p: Number(c.precision.toFixed(3)), r: Number(c.recall.toFixed(3)), f1: Number(c.f1.toFixed(3)), support: c.support } : null];
  }));
  const bySize = { onlySmall: [0, 0], someLarge: [0, 0] };
  const byCount = new Map<number, [number, number]>();
  const substitutions = new Map<string, number>();
  ev.images.forEach((im, i) => {
    const index = Number(im.record.split('#')[1]);
    const scene = pool.get('test', index);
    const listed = new Set(predictedNames(im, i));
    const truth = new Set(im.truthNames);
    const wrong = [...listed].filter((n) => !truth.has(n));
    const count = byCount.get(scene.objects.length) ?? [0, 0];
    for (const name of truth) {
      const hit = listed.has(name) ? 1 : 0;
      const group = scene.objects.some((o) => o.shape === name && o.size === 'large') ? bySize.someLarge : bySize.onlySmall;
      group[0] += hit;
      group[1] += 1;
      count[0] += hit;
      count[1] += 1;
      if (!hit) for (const w of wrong) substitutions.set(`${name}→${w}`, (substitutions.get(`${name}→${w}`) ?? 0) + 1);
    }
    byCount.set(scene.objects.length, count);
  });
  // detection: how many objects it wrote against how many the image holds ("true:written" → images)
  const written = new Map<string, number>();
  for (const im of ev.images) {
    const key = `${im.truthNames.length}:${im.objects.length}`;
    written.set(key, (written.get(key) ?? 0) + 1);
  }
  const objectsWritten = Object.fromEntries([...written.entries()].sort());
  console.log(JSON.stringify({
    probe: 'names',
    route,
    run: a.run,
    arm,
    seed,
    micro: prf.micro,
    perShape,
    recallBySize: { onlySmall: share(bySize.onlySmall[0]!, bySize.onlySmall[1]!), someLarge: share(bySize.someLarge[0]!, bySize.someLarge[1]!) },
    recallByObjects: Object.fromEntries([...byCount.entries()].sort((x, y) => x[0] - y[0]).map(([k, [hit, n]]) => [k, share(hit, n)])),
    ...(route === 'detection' ? { objectsWritten } : {}),
    substitutions: Object.fromEntries([...substitutions.entries()].sort((x, y) => y[1] - x[1]).slice(0, 12)),
  }));
}

/** Per scene, the names that win the run's patch-label head's arg-max on at least one patch. */
async function patchLabelNames(run: string, arm: string, seed: number, scenes: Scene[]): Promise<string[][]> {
  const { model, heads } = await loadRunHeads('names_probe', run, arm, seed);
  if (!heads.label) throw new Error('names_probe: --route patches needs a run trained with stage1.patchLabelWeight > 0 (it has no patch-label head).');
  const label = heads.label;
  const { width: W, height: H } = scenes[0]!;
  const P = model.numPrefix;
  const winners = tf.tidy(() => {
    const features = model.features(tf.tensor4d(ScenePool.pixels(scenes), [scenes.length, H, W, 3]));
    return tf.argMax(label.linear.forward(features), -1).dataSync(); // [n·P], 0 = background
  });
  model.dispose();
  return scenes.map((_, b) => [...new Set(Array.from(winners.subarray(b * P, (b + 1) * P)).filter((c) => c > 0).map((c) => SHAPES[c - 1]!))]);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
