/**
 * The codec oracle: encode → decode every ground-truth box of a split and score the round-tripped
 * boxes as if they were predictions (REC Acc@0.5, mAP with score 1, names exact). This is the ceiling
 * a model using the codec can reach; quantisation is its only loss.
 *
 * @example
 *   codecOracle(binsCodec(64), pool, 'test', 200).rec.accuracy;   // 1 for 64 bins on 64-px scenes
 */
import type { SplitName } from '../data/scene_types';
import { boxIoU } from '../evaluate';
import { newBoxWarnings, type BoxPolicy, type BoxWarnings } from './box_check';
import type { CoordinateCodec } from './coordinate_codec';
import { scoreGrounded, type GroundedMetrics, type ImagePrediction, type RecPrediction } from './grounded_metrics';
import type { ScenePool } from './scene_pool';
import { sceneBoxes } from './task_templates';

export interface OracleReport {
  codec: string;
  metrics: GroundedMetrics;
  /** Mean and max absolute coordinate error of the round trip, pixels. */
  meanAbsError: number;
  maxAbsError: number;
  meanIoU: number;
}

export function codecOracle(codec: CoordinateCodec, pool: ScenePool, split: SplitName, count: number, policy: BoxPolicy = { clipBoxes: false }, warnings: BoxWarnings = newBoxWarnings()): OracleReport {
  const rec: RecPrediction[] = [];
  const images: ImagePrediction[] = [];
  let errSum = 0;
  let errMax = 0;
  let nCoord = 0;
  let iouSum = 0;
  for (let i = 0; i < count; i++) {
    const s = pool.get(split, i);
    const boxes = sceneBoxes(s, { policy, warnings });
    const round = boxes.map((b) => codec.decode(codec.encode(b, s.width, s.height), s.width, s.height));
    round.forEach((r, k) => {
      if (!r) return;
      r.forEach((v, j) => {
        const e = Math.abs(v - boxes[k]![j]!);
        errSum += e;
        errMax = Math.max(errMax, e);
        nCoord++;
      });
    });
    s.referringExpressions.forEach((e, j) => rec.push({ id: `${s.split}#${s.index}/${j}`, truth: boxes[e.target]!, predicted: round[e.target]! }));
    images.push({
      record: `${s.split}#${s.index}`,
      truthBoxes: boxes,
      truthNames: s.objects.map((o) => o.name),
      objects: round.flatMap((b, k) => (b ? [{ box: b, name: s.objects[k]!.name, score: 1 }] : [])),
      listedNames: s.objects.map((o) => o.name),
    });
  }
  const metrics = scoreGrounded(rec, images, [], { rec: 0, detection: 0, listing: 0, caption: 0 });
  for (const r of rec) if (r.predicted) iouSum += boxIoU(r.predicted, r.truth);
  return { codec: codec.name, metrics, meanAbsError: nCoord ? errSum / nCoord : NaN, maxAbsError: errMax, meanIoU: rec.length ? iouSum / rec.length : NaN };
}
