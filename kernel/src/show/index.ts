/**
 * `show`: rich notebook displays as MIME bundles (`application/vnd.alignscope.v1+json` + text/plain,
 * + text/html for tables), drawn by the alignscope renderer. Each `show.x(...)` publishes one bundle;
 * each `buildXBundle(...)` returns it without publishing.
 */
export * from './display_schema';
export { validateDisplayPayload } from './display_validate';
export { alignment, buildAlignmentBundle, type AlignmentInput } from './alignment';
export { plan, buildPlanBundle, type PlanOptions } from './plan';
export { curves, buildCurvesBundle, type CurvesInput, type CurvesOptions, type SeriesInput } from './curves';
export { boxes, buildBoxesBundle, iou, type BoxesInput, type BoxLike, type BoxListInput } from './boxes';
export { table, buildTableBundle, type TableInput, type TableOptions, type TableCellInput } from './table';
export { progress, buildProgressBundle, formatDuration, type ProgressInput } from './progress';
export { LiveDisplay, systemClock, type Clock, type LiveDisplayOptions } from './live_display';
export { LiveProgress, LiveCurves, liveProgress, liveCurves, type LiveProgressOptions } from './live_views';
export { setDisplayPublisher, displayPublisher, type DisplayPublisher, type PublishOptions } from './publisher';
export { toDisplayImage, type ImageInput, type RawRgbImage, type ImageEncoding } from './image_input';
export type { MatrixInput, VectorInput } from './to_plain';
export { tensorHeatmapBundle, MAX_CELLS as TENSOR_HEATMAP_MAX_CELLS } from './tensor_heatmap';
