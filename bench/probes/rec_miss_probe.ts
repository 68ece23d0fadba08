/**
 * Which REC expressions a finished grounded-lm run gets wrong, and how: re-evaluates the run (its REC must
 * equal its metrics.json, else it stops) and prints, per expression group (recGroup: 'attributes+k',
 * 'relational', …), the misses split as rec_misses.ts splits them, with "another object's box" split again
 * by which object it was:
 *
 *   landmark     the relational expression's landmark ("the circle left of the SQUARE")
 *   same shape   an object of the target's shape — the phrase names it too, the attributes or the relation
 *                should have ruled it out
 *   other shape  any other object
 *
 * For relational expressions also the accuracy per relation word and per how close the nearest distractor
 * (an object of the target's shape, not the target or the landmark) comes to the relation's other axis:
 * the relation is decided on the dominant axis of the centre offset to the landmark (spatial_relation.ts),
 * so a distractor with | |dx| − |dy| | of a few pixels differs from the target by a hair's breadth.
 *
 *   node --import tsx bench/probes/rec_miss_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0]
 */
import { initBackend } from '../../kernel/src/backend';
import { recCriterion } from '../../kernel/src/evaluate';
import type { Scene, SplitName } from '../../kernel/src/data/scene_types';
import { RELATIONS } from '../../kernel/src/data/scene_vocabulary';
import { reEvaluatedRun } from './load_run';
import { probeArgs } from './probe_args';

type MissKind = 'hit' | 'parse failure' | 'landmark' | 'same shape' | 'other shape' | 'imprecise';
const KINDS: readonly MissKind[] = ['hit', 'parse failure', 'landmark', 'same shape', 'other shape', 'imprecise'];

/** The distance (px) of the nearest distractor's centre offset from the |dx| = |dy| diagonals, or null without one. */
function axisMargin(scene: Scene, target: number, landmark: number): number | null {
  const L = scene.objects[landmark]!.center;
  const shape = scene.objects[target]!.shape;
  const margins = scene.objects.flatMap((o, j) => {
    if (j === target || j === landmark || o.shape !== shape) return [];
    return [Math.abs(Math.abs(o.center[0] - L[0]) - Math.abs(o.center[1] - L[1]))];
  });
  return margins.length > 0 ? Math.min(...margins) : null;
}

/** The first word of each relation ('left' for "left of"): the key of the per-relation table. */
const RELATION_WORDS: readonly string[] = RELATIONS.map((r) => r.split(' ')[0]!);

const MARGIN_BUCKETS = ['< 4 px', '4–8 px', '8–16 px', '≥ 16 px', 'no distractor'];

function marginBucket(m: number | null): string {
  if (m === null) return MARGIN_BUCKETS[4]!;
  return MARGIN_BUCKETS[m < 4 ? 0 : m < 8 ? 1 : m < 16 ? 2 : 3]!;
}

class Tally {
  readonly rows = new Map<string, Map<MissKind, number>>();
  add(key: string, kind: MissKind): void {
    const row = this.rows.get(key) ?? new Map<MissKind, number>();
    row.set(kind, (row.get(kind) ?? 0) + 1);
    this.rows.set(key, row);
  }
  /** One line per key, in `order` (keys not in it after, alphabetically). */
  print(title: string, order: readonly string[] = []): void {
    const rank = (k: string): number => (order.includes(k) ? order.indexOf(k) : order.length);
    console.log(`\n${title.padEnd(17)} |   n | accuracy | ${KINDS.slice(1).join(' | ')}`);
    for (const [key, row] of [...this.rows].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))) {
      const n = [...row.values()].reduce((a, b) => a + b, 0);
      const cells = KINDS.slice(1).map((k) => String(row.get(k) ?? 0).padStart(k.length));
      console.log(`${key.padEnd(17)} | ${String(n).padStart(3)} | ${((row.get('hit') ?? 0) / n).toFixed(3).padStart(8)} | ${cells.join(' | ')}`);
    }
  }
}

async function main(): Promise<void> {
  const a = probeArgs('rec_miss_probe');
  if (!a.run) throw new Error('rec_miss_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  await initBackend({ log: null });
  const { ev, pool, recorded } = await reEvaluatedRun('rec_miss_probe', a.run, arm, seed, { name: 'REC accuracy', of: (m) => m.rec.accuracy });
  const meets = recCriterion(ev.metrics.rec.options);
  const byGroup = new Tally();
  const byRelation = new Tally();
  const byMargin = new Tally();
  const seenPerScene = new Map<string, number>();
  for (const r of ev.rec) {
    // evaluateGrounded writes one row per referring expression, scene by scene in the scene's own order.
    const k = seenPerScene.get(r.id) ?? 0;
    seenPerScene.set(r.id, k + 1);
    const [split, index] = r.id.split('#') as [SplitName, string];
    const scene = pool.get(split, Number(index));
    const e = scene.referringExpressions[k]!;
    let kind: MissKind = 'hit';
    if (!r.predicted) kind = 'parse failure';
    else if (!meets(r.predicted, r.truth)) {
      const other = scene.objects.findIndex((o, j) => j !== e.target && meets(r.predicted!, o.box));
      if (other < 0) kind = 'imprecise';
      else if (other === e.landmark) kind = 'landmark';
      else kind = scene.objects[other]!.shape === scene.objects[e.target]!.shape ? 'same shape' : 'other shape';
    }
    byGroup.add(r.group ?? e.kind, kind);
    if (e.kind === 'relational' && e.landmark !== undefined) {
      byRelation.add(e.words.find((w) => RELATION_WORDS.includes(w)) ?? '?', kind);
      byMargin.add(marginBucket(axisMargin(scene, e.target, e.landmark)), kind);
    }
  }
  console.log(`${a.run} ${arm} seed ${seed}: REC ${recorded.toFixed(3)} (re-evaluated, ${ev.rec.length} expressions)`);
  byGroup.print('group');
  byRelation.print('relation word');
  byMargin.print('distractor margin', MARGIN_BUCKETS);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
