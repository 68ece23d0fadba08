/** Image I/O: decode JPEG/PNG (sharp or pure JS, EXIF orientation), resize to model inputs, batch, cache. */
export { decodePng, isPng } from './png_decode';
export { jpegOrientation, applyOrientation, swapsAxes, type ExifOrientation } from './exif_orientation';
export { imageSizeFromBytes, imageFileSize, sniffFormat, type ImageFormat } from './image_header';
export { decodeImage, loadSharp, sharpLoadError, defaultDecodeBackend, type DecodeBackend } from './decode_image';
export { toModelInput, inputTransform, mapBox, type ModelInput, type ModelInputOptions, type InputTransform, type ResizeFit } from './model_input';
export { LruCache } from './lru_cache';
export { ImageLoader, readImage, type ImageLoaderOptions, type ImageBatch } from './image_loader';
