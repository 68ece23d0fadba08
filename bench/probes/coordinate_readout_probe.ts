/**
 * How the choice of coordinate read-out changes a finished run's boxes: re-evaluates the run as it ran
 * (REC must equal its metrics.json, else it stops), then with `eval.coordinateReadout` 'median' and 'mean'
 * (kernel/src/seq/coordinate_readout.ts) and with beam search, and prints one JSON line per variant: REC,
 * its misses (another object's box / a box that fits no object), AP50, AP, the IoU quartiles of the
 * boxes that found their object but missed IoU 0.5, and each edge's error in pixels on the boxes that found
 * their object (mean: a bias; mean absolute), also by the true box's side (the share at IoU ≥ 0.5 and the
 * mean absolute edge error per size bucket).
 *
 *   node --import tsx bench/probes/coordinate_readout_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0] [--beams 3]
 *        [--variants argmax,median,mean,beam]     (which to evaluate after the run's own; default median,mean,beam;
 *                                                  argmax for a run that was read out another way)
 */
import { initBackend } from '../../kernel/src/backend';
import { boxIoU } from '../../kernel/src/evaluate';
import { newBoxWarnings } from '../../kernel/src/seq/box_check';
import type { GroundedLMConfig } from '../../kernel/src/seq/grounded_lm_config';
import type { GroundedEvaluation } from '../../kernel/src/seq/evaluate_grounded';
import { evaluateStage1 } from '../../kernel/src/seq/grounded_lm_run';
import { reEvaluatedRun } from './load_run';
import { probeArgs } from './probe_args';

type RecRow = GroundedEvaluation['rec'][number];

/** A REC box that found its object: its IoU with the truth is at least that with every other object. */
function foundItsObject(r: RecRow): boolean {
  return Boolean(r.predicted) && (r.others ?? []).every((o) => boxIoU(r.predicted!, o) <= boxIoU(r.predicted!, r.truth));
}

function summary(variant: string, ev: GroundedEvaluation) {
  const m = ev.metrics;
  const near = ev.rec
    .filter((r) => foundItsObject(r) && boxIoU(r.predicted!, r.truth) < 0.5)
    .map((r) => boxIoU(r.predicted!, r.truth))
    .sort((a, b) => a - b);
  const q = (f: number) => (near.length ? Number(near[Math.floor(f * (near.length - 1))]!.toFixed(3)) : null);
  return { variant, rec: m.rec.accuracy, n: m.rec.n, wrongObject: m.rec.misses.wrongObject, imprecise: m.rec.misses.imprecise, AP50: m.detection.AP50, AP: m.detection.AP, namesFromDetection: m.namesFromDetection.micro.f1, nearMissIoU: { n: near.length, q25: q(0.25), median: q(0.5), q75: q(0.75) }, edgeError: edgeErrors(ev) };
}

/**
 * Predicted minus true edge, in pixels, per coordinate (x1, y1, x2, y2), over the REC boxes that found their
 * object (IoU with the truth at least that with every other object): the mean (a bias: a box drawn too
 * small, shifted) and the mean absolute error; and by the true box's side, the share of those boxes at
 * IoU ≥ 0.5 and their mean absolute edge error.
 */
function edgeErrors(ev: GroundedEvaluation) {
  const found = ev.rec.filter((r) => foundItsObject(r) && boxIoU(r.predicted!, r.truth) > 0);
  const edge = (k: number, f: (d: number) => number) => Number((found.reduce((s, r) => s + f(r.predicted![k]! - r.truth[k]!), 0) / Math.max(1, found.length)).toFixed(2));
  const names = ['x1', 'y1', 'x2', 'y2'];
  const side = (b: readonly number[]) => Math.sqrt((b[2]! - b[0]!) * (b[3]! - b[1]!));
  const bySide = SIDE_BUCKETS.map(([lo, hi]) => {
    const inBucket = found.filter((r) => side(r.truth) >= lo && side(r.truth) < hi);
    const hits = inBucket.filter((r) => boxIoU(r.predicted!, r.truth) >= 0.5).length;
    const abs = inBucket.reduce((s, r) => s + [0, 1, 2, 3].reduce((t, k) => t + Math.abs(r.predicted![k]! - r.truth[k]!), 0) / 4, 0);
    return { side: hi === Infinity ? `≥${lo}px` : `${lo}–${hi}px`, n: inBucket.length, iou50: Number((hits / Math.max(1, inBucket.length)).toFixed(3)), meanAbs: Number((abs / Math.max(1, inBucket.length)).toFixed(2)) };
  });
  return { n: found.length, mean: Object.fromEntries(names.map((c, k) => [c, edge(k, (d) => d)])), meanAbs: Object.fromEntries(names.map((c, k) => [c, edge(k, Math.abs)])), bySide };
}

/** Buckets of the true box's side √(w·h), in pixels, for the edge errors by object size. */
const SIDE_BUCKETS: readonly [number, number][] = [[0, 10], [10, 14], [14, 20], [20, Infinity]];

async function main(): Promise<void> {
  const a = probeArgs('coordinate_readout_probe');
  if (!a.run) throw new Error('coordinate_readout_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  const beams = Number(a.beams ?? 3);
  const chosen = (a.variants ?? 'median,mean,beam').split(',');
  const unknown = chosen.filter((v) => !['argmax', 'median', 'mean', 'beam'].includes(v));
  if (unknown.length) throw new Error(`coordinate_readout_probe: --variants takes argmax, median, mean, beam; got '${unknown.join(',')}'.`);
  await initBackend({ log: null });
  const run = await reEvaluatedRun('coordinate_readout_probe', a.run, arm, seed, { name: 'REC', of: (m) => m.rec.accuracy });
  console.log(JSON.stringify(summary(`as run (${run.cfg.eval.decoder}, ${run.cfg.eval.coordinateReadout})`, run.ev)));
  const variants: [string, string, GroundedLMConfig['eval']][] = [
    ['argmax', 'greedy, argmax', { ...run.cfg.eval, decoder: 'greedy', coordinateReadout: 'argmax' }],
    ['median', 'greedy, median', { ...run.cfg.eval, decoder: 'greedy', coordinateReadout: 'median' }],
    ['mean', 'greedy, mean', { ...run.cfg.eval, decoder: 'greedy', coordinateReadout: 'mean' }],
    ['beam', `beam ${beams}`, { ...run.cfg.eval, decoder: 'beam', beams, coordinateReadout: 'argmax' }],
  ];
  for (const [key, variant, e] of variants) {
    if (!chosen.includes(key)) continue;
    const { ev } = evaluateStage1({ ...run.cfg, eval: e }, run.model, run.tok, run.codec, run.pool, newBoxWarnings());
    console.log(JSON.stringify(summary(variant, ev)));
  }
  run.model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
