/**
 * A schema image as a URL plotly's `image` trace can use as `source`: PNG data URLs pass through,
 * raw RGB is drawn onto a canvas and exported as PNG.
 */
import type { DisplayImage } from '../../kernel/src/show/display_schema';

export function imageSource(image: DisplayImage): string {
  if (image.encoding === 'png') return image.dataUrl;
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('image: no 2-D canvas context to draw the raw RGB image');
  const rgba = ctx.createImageData(image.width, image.height);
  for (let p = 0; p < image.width * image.height; p++) {
    rgba.data[p * 4] = image.data[p * 3];
    rgba.data[p * 4 + 1] = image.data[p * 3 + 1];
    rgba.data[p * 4 + 2] = image.data[p * 3 + 2];
    rgba.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(rgba, 0, 0);
  return canvas.toDataURL('image/png');
}

/**
 * Traces and axes that show an image in pixel coordinates: pixel edges at integers, x to the right,
 * y down (so boxes and patch cells use the same numbers as the payload).
 */
export function imageTrace(image: DisplayImage): Record<string, unknown> {
  return { type: 'image', source: imageSource(image), x0: 0.5, y0: 0.5, dx: 1, dy: 1, hoverinfo: 'skip' };
}

export function imageAxes(image: DisplayImage): Record<string, unknown> {
  const hidden = { showgrid: false, zeroline: false, showticklabels: false, ticks: '' };
  return {
    xaxis: { ...hidden, range: [0, image.width], constrain: 'domain' },
    yaxis: { ...hidden, range: [image.height, 0], scaleanchor: 'x', constrain: 'domain' },
  };
}
