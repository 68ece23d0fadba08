/**
 * An RGB image → a model input: Float32 [H, W, 3] in [0, 1] (optionally normalised per channel),
 * resized to the model's size with one of three fits, plus the transform that maps annotation boxes
 * into the input's pixel frame.
 *
 *   fit 'stretch'  the whole image to H×W (aspect ratio not kept)
 *   fit 'cover'    scale so the image covers H×W, centre crop (CLIP preprocessing)
 *   fit 'contain'  scale so the image fits inside, centre it, pad with black (letterbox)
 *
 * Resampling is separable: area averaging when shrinking (no aliasing), bilinear when enlarging.
 * A source window [x0, x0 + sw) × [y0, y0 + sh) (in source pixels; outside the image for 'contain')
 * maps onto the output, so a point x maps to x' = (x − x0) · W / sw.
 *
 * @example
 *   const { data, transform } = toModelInput(img, { size: 224, fit: 'cover' });   // data: [224, 224, 3]
 *   mapBox(record.objects[0].box, transform);                                      // box in input pixels
 */
import type { BoxXYXY } from '../scene_types';
import type { RgbImage } from '../scene_preview';

export type ResizeFit = 'stretch' | 'cover' | 'contain';

export interface ModelInputOptions {
  /** Output size: a square side or [height, width]. */
  size: number | readonly [number, number];
  /** Default 'stretch'. */
  fit?: ResizeFit;
  /** Per-channel mean and std applied after scaling to [0, 1]: (v − mean) / std. Default none. */
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
}

/** x' = (x − x0)·scaleX, y' = (y − y0)·scaleY; the output is width × height. */
export interface InputTransform {
  x0: number;
  y0: number;
  scaleX: number;
  scaleY: number;
  width: number;
  height: number;
}

export interface ModelInput {
  /** [height, width, 3] row-major. */
  data: Float32Array;
  height: number;
  width: number;
  transform: InputTransform;
}

/** Per output index: the source indices and weights (summing to ≤ 1; the rest is padding). */
function axisWeights(n: number, m: number, start: number, span: number): { index: Int32Array; weight: Float32Array; offsets: Int32Array } {
  const idx: number[] = [];
  const wts: number[] = [];
  const offsets = new Int32Array(m + 1);
  const step = span / m;
  for (let o = 0; o < m; o++) {
    const a = start + o * step;
    const b = a + step;
    if (step >= 1) {
      for (let i = Math.max(0, Math.floor(a)); i < Math.min(n, Math.ceil(b)); i++) {
        const w = (Math.min(b, i + 1) - Math.max(a, i)) / step;
        if (w > 0) idx.push(i), wts.push(w);
      }
    } else {
      const c = (a + b) / 2 - 0.5;
      if (c >= -0.5 && c <= n - 0.5) {
        const i0 = Math.floor(c);
        const t = c - i0;
        const lo = Math.min(n - 1, Math.max(0, i0));
        const hi = Math.min(n - 1, Math.max(0, i0 + 1));
        idx.push(lo, hi);
        wts.push(1 - t, t);
      }
    }
    offsets[o + 1] = idx.length;
  }
  return { index: Int32Array.from(idx), weight: Float32Array.from(wts), offsets };
}

export function inputTransform(srcW: number, srcH: number, options: ModelInputOptions): InputTransform {
  const [height, width] = typeof options.size === 'number' ? [options.size, options.size] : options.size;
  if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0)) {
    throw new Error(`toModelInput: size must be a positive integer or [height, width]; got ${JSON.stringify(options.size)}.`);
  }
  const fit = options.fit ?? 'stretch';
  let sw = srcW;
  let sh = srcH;
  if (fit === 'cover' || fit === 'contain') {
    const s = fit === 'cover' ? Math.max(width / srcW, height / srcH) : Math.min(width / srcW, height / srcH);
    sw = width / s;
    sh = height / s;
  } else if (fit !== 'stretch') throw new Error(`toModelInput: fit must be 'stretch', 'cover' or 'contain'; got '${String(fit)}'.`);
  return { x0: (srcW - sw) / 2, y0: (srcH - sh) / 2, scaleX: width / sw, scaleY: height / sh, width, height };
}

export function toModelInput(image: RgbImage, options: ModelInputOptions): ModelInput {
  const t = inputTransform(image.width, image.height, options);
  const { width: W, height: H } = t;
  const wx = axisWeights(image.width, W, t.x0, W / t.scaleX);
  const wy = axisWeights(image.height, H, t.y0, H / t.scaleY);
  const src = image.pixels;
  const rowBuf = new Float32Array(W * 3); // one horizontally resampled source row
  const data = new Float32Array(H * W * 3); // [H, W, 3]
  const sw = image.width;
  // Rows are resampled once per contributing (output row, source row) pair; fine for dataset images.
  for (let y = 0; y < H; y++) {
    for (let k = wy.offsets[y]!; k < wy.offsets[y + 1]!; k++) {
      const sy = wy.index[k]!;
      const wyk = wy.weight[k]!;
      rowBuf.fill(0);
      for (let x = 0; x < W; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let q = wx.offsets[x]!; q < wx.offsets[x + 1]!; q++) {
          const s = (sy * sw + wx.index[q]!) * 3;
          const w = wx.weight[q]!;
          r += w * src[s]!;
          g += w * src[s + 1]!;
          b += w * src[s + 2]!;
        }
        rowBuf[3 * x] = r;
        rowBuf[3 * x + 1] = g;
        rowBuf[3 * x + 2] = b;
      }
      const base = y * W * 3;
      for (let i = 0; i < W * 3; i++) data[base + i] += wyk * rowBuf[i]!;
    }
  }
  const mean = options.mean ?? [0, 0, 0];
  const std = options.std ?? [1, 1, 1];
  for (let i = 0; i < data.length; i++) {
    const c = i % 3;
    data[i] = (Math.min(1, Math.max(0, data[i]! / 255)) - mean[c]!) / std[c]!;
  }
  return { data, height: H, width: W, transform: t };
}

/** A box of the source image in the model input's pixel frame, clipped to the input. */
export function mapBox(box: BoxXYXY, t: InputTransform): BoxXYXY {
  const cx = (v: number) => Math.min(t.width, Math.max(0, (v - t.x0) * t.scaleX));
  const cy = (v: number) => Math.min(t.height, Math.max(0, (v - t.y0) * t.scaleY));
  return [cx(box[0]), cy(box[1]), cx(box[2]), cy(box[3])];
}
