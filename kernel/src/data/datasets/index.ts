/**
 * Real datasets: the common record, loaders, the exporter of the grounded scenes, `--data` sources, and
 * what turns records into model inputs (resized images, per-token boxes, train/test splits).
 */
export * from './dataset_record';
export * from './scene_to_record';
export * from './load_options';
export { scanJson, readJsonFile, type JsonElementHandler, type JsonScanResult } from './json_stream';
export { unpickle } from './pickle_read';
export { pickle } from './pickle_write';
export { loadCoco, findCocoSplits } from './coco_loader';
export { loadRefcoco, type RefcocoLoadOptions, type RefcocoVariant } from './refcoco_loader';
export { loadFlickr30k } from './flickr30k_loader';
export { parseFlickrSentence, formatFlickrSentence, type MarkedPhrase } from './flickr30k_sentence';
export { loadVisualGenome } from './vg_loader';
export { exportDataset } from './dataset_export';
export { projectRecord, type ProjectionForm } from './format_projection';
export * from './evaluation_rows';
export * from './data_sources';
export { tokenSpans, type TokenSpan } from './token_spans';
export { captionGroundTruth, UNGROUNDED_WORDS, type CaptionGroundTruth } from './caption_ground_truth';
export { resizeRecords, type ResizeRecordsOptions, type ResizedRecords } from './resize_records';
export { holdOutRecords, type RecordSplit } from './held_out_split';
export { loadTrainTestRecords, type TrainTestSources, type LoadedTrainTest } from './train_test_sources';
