/** Real datasets: the common record, loaders, the exporter of the grounded scenes, `--data` sources. */
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
