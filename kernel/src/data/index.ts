/**
 * Data: the embedded grounded-scenes generator, its grammars and tokenizer, batching to tensors,
 * patch-level ground truth, and PNG previews.
 */
export * from './scene_vocabulary';
export * from './scene_types';
export * from './grounded_scenes_config';
export * from './grounded_scenes';
export * from './caption_grammar';
export * from './referring_expressions';
export * from './spatial_relation';
export * from './word_tokenizer';
export * from './word_vocabulary';
export * from './patch_ground_truth';
export * from './scene_batch';
export * from './png_encode';
export * from './scene_preview';
export { buildGroundedText, nounPhrase, type WordPart } from './grounded_text';
export { shapeSdf } from './shape_sdf';
export { rasterShape, visibleMasks, maskBox, type WindowRaster } from './shape_raster';
export * as datasets from './datasets';
export * as images from './images';
