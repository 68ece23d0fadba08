/**
 * `show.curves`: named series (loss, learning rate, metrics) against a shared x axis.
 *
 * @example
 *   show.curves({ train: trainLoss, val: { x: valSteps, y: valLoss } }, { title: 'loss', xTitle: 'step' });
 *   // Live during training: see show.liveCurves.
 */
import { DISPLAY_MIME, type CurveSeries, type CurvesPayload, type DisplayBundle } from './display_schema';
import { fmt, quote } from './format_text';
import { publish } from './publisher';
import { toVector, type VectorInput } from './to_plain';

/** One series: y values (x defaults to 0, 1, 2, …) or explicit { x, y }. */
export type SeriesInput = VectorInput | { x?: VectorInput; y: VectorInput };
/** Series by name, or a list of named series. */
export type CurvesInput = Record<string, SeriesInput> | readonly ({ name: string } & { x?: VectorInput; y: VectorInput })[];

export interface CurvesOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  logY?: boolean;
}

const OP = 'show.curves';

function isXY(s: SeriesInput): s is { x?: VectorInput; y: VectorInput } {
  return typeof s === 'object' && s !== null && 'y' in s && !('dataSync' in s);
}

function toSeries(name: string, s: SeriesInput): CurveSeries {
  const yIn = isXY(s) ? s.y : s;
  const y = toVector(yIn, `${OP}: series '${name}' y`);
  const xIn = isXY(s) ? s.x : undefined;
  const x = xIn === undefined ? y.map((_, i) => i) : toVector(xIn, `${OP}: series '${name}' x`);
  if (x.length !== y.length) throw new Error(`${OP}: series '${name}': x has ${x.length} values, y has ${y.length}.`);
  const xi = x.findIndex((v) => v === null);
  if (xi >= 0) throw new Error(`${OP}: series '${name}': x[${xi}] is not a finite number.`);
  return { name, x: x as number[], y };
}

function summary(p: CurvesPayload): string {
  const head = `curves${p.title ? ` ${quote(p.title)}` : ''}${p.xTitle ? ` (x: ${p.xTitle})` : ''}: ${p.series.length} series`;
  const lines = p.series.map((s) => {
    const finite = s.y.map((v, i) => [v, s.x[i]] as const).filter((e): e is readonly [number, number] => e[0] !== null);
    if (finite.length === 0) return `  ${quote(s.name)}: ${s.y.length} points, none finite`;
    const [lastY, lastX] = finite[finite.length - 1];
    const [minY, minX] = finite.reduce((a, b) => (b[0] < a[0] ? b : a));
    return `  ${quote(s.name)}: ${s.y.length} points, last ${fmt(lastY)} at ${fmt(lastX)}, min ${fmt(minY)} at ${fmt(minX)}`;
  });
  return [head, ...lines].join('\n');
}

/** Builds the curves bundle (no publishing). */
export function buildCurvesBundle(series: CurvesInput, options: CurvesOptions = {}): DisplayBundle {
  const list = Array.isArray(series)
    ? (series as readonly ({ name: string } & { x?: VectorInput; y: VectorInput })[]).map((s) => toSeries(s.name, s))
    : Object.entries(series as Record<string, SeriesInput>).map(([name, s]) => toSeries(name, s));
  const payload: CurvesPayload = { kind: 'curves', version: 1, series: list };
  if (options.title !== undefined) payload.title = options.title;
  if (options.xTitle !== undefined) payload.xTitle = options.xTitle;
  if (options.yTitle !== undefined) payload.yTitle = options.yTitle;
  if (options.logY !== undefined) payload.logY = options.logY;
  return { [DISPLAY_MIME]: payload, 'text/plain': summary(payload) };
}

/** Shows named series as line plots. */
export function curves(series: CurvesInput, options?: CurvesOptions): void {
  publish(buildCurvesBundle(series, options));
}
