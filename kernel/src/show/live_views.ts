/**
 * Live views on top of LiveDisplay: a progress bar with ETA, and curves that grow point by point.
 * Both are cheap to call every step: the bundle is only built when the throttle lets it through.
 *
 * @example
 *   const bar = show.liveProgress({ total: steps, title: 'training' });
 *   const loss = show.liveCurves({ title: 'loss', xTitle: 'step' });
 *   for (let step = 1; step <= steps; step++) {
 *     const l = trainStep();
 *     loss.push('train', step, l);
 *     bar.update(step, `loss ${l.toFixed(3)}`);
 *   }
 *   bar.done(); loss.close();
 */
import type { CurveSeries } from './display_schema';
import { buildCurvesBundle, type CurvesOptions } from './curves';
import { LiveDisplay, systemClock, type LiveDisplayOptions } from './live_display';
import { buildProgressBundle } from './progress';
import { toCell } from './to_plain';

export interface LiveProgressOptions extends LiveDisplayOptions {
  total?: number | null;
  title?: string;
  message?: string;
}

export class LiveProgress {
  readonly display: LiveDisplay;
  private readonly started: number;
  private readonly clock: NonNullable<LiveDisplayOptions['clock']>;
  private step = 0;
  private message?: string;

  constructor(private readonly options: LiveProgressOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.display = new LiveDisplay(options);
    this.started = this.clock.now();
    this.message = options.message;
    this.show('running');
  }

  /** Records progress; `message` replaces the previous one when given. */
  update(step: number, message?: string): void {
    this.step = step;
    if (message !== undefined) this.message = message;
    this.show('running');
  }

  /** Final state: done (or interrupted/error); published immediately. */
  done(message?: string, status: 'done' | 'interrupted' | 'error' = 'done'): void {
    if (message !== undefined) this.message = message;
    this.show(status);
    this.display.close();
  }

  private show(status: 'running' | 'done' | 'interrupted' | 'error'): void {
    const { step, message } = this;
    const total = this.options.total ?? null;
    const elapsed = (this.clock.now() - this.started) / 1000;
    const eta = total !== null && step > 0 && status === 'running' ? (elapsed / step) * Math.max(0, total - step) : null;
    const title = this.options.title;
    this.display.update(() =>
      buildProgressBundle({ step, total, message, title, status, elapsedSeconds: Number(elapsed.toFixed(2)), etaSeconds: eta === null ? null : Number(eta.toFixed(1)) }),
    );
  }
}

export class LiveCurves {
  readonly display: LiveDisplay;
  private readonly series = new Map<string, { x: number[]; y: (number | null)[] }>();

  constructor(private readonly options: CurvesOptions & LiveDisplayOptions = {}) {
    this.display = new LiveDisplay(options);
  }

  /** Appends one point to the named series (created on first use). */
  push(name: string, x: number, y: number): void {
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = { x: [], y: [] }));
    s.x.push(x);
    s.y.push(toCell(y));
    this.display.update(() => buildCurvesBundle(this.snapshot(), this.options));
  }

  /** Publishes the final curves now. */
  close(): void {
    this.display.close();
  }

  private snapshot(): CurveSeries[] {
    return [...this.series].map(([name, s]) => ({ name, x: [...s.x], y: [...s.y] }));
  }
}

/** A progress bar updated in place (throttled to ~10 updates per second). */
export function liveProgress(options?: LiveProgressOptions): LiveProgress {
  return new LiveProgress(options);
}

/** Curves that grow point by point, redrawn in place (throttled). */
export function liveCurves(options?: CurvesOptions & LiveDisplayOptions): LiveCurves {
  return new LiveCurves(options);
}
