export { boxIoU, boxGIoU, boxArea, intersectionArea, xywhToXyxy, xyxyToXywh, type BoxXYXY } from './box_iou';
export { retrievalRecall, recallFromRanks, type RetrievalResult, type ScoreMatrix } from './retrieval_recall';
export { rerankTopK, recallFromRankings, rerankedRetrievalRecall, type RerankOptions, type Rankings } from './rerank_top_k';
export { patchCentre, patchCentreInBox, type PatchGrid } from './patch_grid';
export {
  pointingHit,
  massInBox,
  randomPointingBaseline,
  groundingScores,
  argmax,
  type GroundingItem,
  type GroundingResult,
  type GroundingSummary,
} from './pointing_game';
export { planDiagnostics, type PlanDiagnostics, type PlanDiagnosticsOptions } from './plan_diagnostics';
export { recAccuracy, type RecRow, type RecOptions, type RecResult } from './rec_accuracy';
export { recCriterion, recMisses, type RecMissRow, type RecMisses } from './rec_misses';
export { recAccuracyByGroup, type GroupedRecRow, type RecByGroup } from './rec_by_group';
export { cocoMAP, COCO_STAT_NAMES, type CocoMAPResult, type CocoStatName } from './coco_map';
export {
  defaultCocoParams,
  linspace,
  type CocoParams,
  type CocoGroundTruth,
  type CocoGtAnnotation,
  type CocoDetection,
  type BoxXYWH,
} from './coco_params';
export { cocoBoxIoU, evaluateImage, type ImageEval } from './coco_match';
export { accumulate as cocoAccumulate } from './coco_accumulate';
export { namePRF, type NameRow, type NamePRFResult, type PRF } from './name_prf';
