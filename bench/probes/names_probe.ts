/**
 * Where the object-name extraction of a trained grounded LM fails: re-evaluates a run from its checkpoint
 * (the names micro-F1 must equal the one in its metrics.json, else it stops) and breaks the listing's
 * names down — per shape (precision, recall, F1, support), recall by the size of the shape's objects in the
 * image (only small ones / at least one large), recall by how many objects the image holds, and the
 * substitutions (a true name missed in an image where a false one was written: which for which).
 *
 *   node --import tsx bench/probes/names_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0] [--route listing|detection]
 *
 * `--route detection` breaks down the names read off the detection output instead of the listing's.
 *
 * Prints one JSON line.
 */
import { initBackend } from '../../kernel/src/backend';
import { SHAPES } from '../../kernel/src/data/scene_vocabulary';
import { namePRF } from '../../kernel/src/evaluate/name_prf';
import { reEvaluatedRun } from './load_run';
import { probeArgs } from './probe_args';

const share = (hit: number, n: number) => ({ recall: n > 0 ? Number((hit / n).toFixed(3)) : null, n });

async function main(): Promise<void> {
  const a = probeArgs('names_probe');
  if (!a.run) throw new Error('names_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  const route = a.route ?? 'listing';
  if (route !== 'listing' && route !== 'detection') throw new Error(`names_probe: --route must be 'listing' or 'detection'; got '${route}'.`);
  await initBackend({ log: null });
  const { ev, pool } = await reEvaluatedRun('names_probe', a.run, arm, seed, { name: 'names F1', of: (m) => m.names.micro.f1 });
  const predictedNames = (im: (typeof ev.images)[number]): string[] => (route === 'listing' ? im.listedNames : im.objects.map((o) => o.name));
  const rows = ev.images.map((im) => ({ predicted: predictedNames(im), truth: im.truthNames }));
  const prf = namePRF(rows);
  const perShape = Object.fromEntries(SHAPES.map((s) => {
    const c = prf.perName[s];
    return [s, c ? { p: Number(c.precision.toFixed(3)), r: Number(c.recall.toFixed(3)), f1: Number(c.f1.toFixed(3)), support: c.support } : null];
  }));
  const bySize = { onlySmall: [0, 0], someLarge: [0, 0] };
  const byCount = new Map<number, [number, number]>();
  const substitutions = new Map<string, number>();
  ev.images.forEach((im) => {
    const index = Number(im.record.split('#')[1]);
    const scene = pool.get('test', index);
    const listed = new Set(predictedNames(im));
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

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
