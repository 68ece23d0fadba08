/**
 * A display that is updated in place (progress bars, loss curves): the first update publishes a
 * display_data with a display_id, later ones update_display_data for that id.
 *
 * Updates are throttled to one per `minIntervalMs` (100 ms → about 10 per second), never one per
 * step: an update inside the interval only replaces the pending bundle, and a timer publishes the
 * latest pending bundle when the interval is over, so the last update is always shown. Pass a
 * function to build the bundle lazily: it only runs when the bundle is actually published.
 *
 * @example
 *   const live = new LiveDisplay();
 *   for (let step = 0; step < 1000; step++) live.update(() => buildProgressBundle({ step, total: 1000 }));
 *   live.close();   // publishes the final state now
 */
import { randomUUID } from 'node:crypto';
import type { DisplayBundle } from './display_schema';
import { displayPublisher, type DisplayPublisher } from './publisher';

/** Time source and timers; tests pass a fake one. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface LiveDisplayOptions {
  /** Minimum time between two published bundles. Default 100 ms. */
  minIntervalMs?: number;
  clock?: Clock;
  /** Default: the installed publisher (show.setDisplayPublisher), looked up at each publish. */
  publisher?: DisplayPublisher;
  /** Default: a fresh unique id. */
  displayId?: string;
}

export class LiveDisplay {
  readonly displayId: string;
  private readonly minIntervalMs: number;
  private readonly clock: Clock;
  private readonly publisher?: DisplayPublisher;
  private pending?: () => DisplayBundle;
  private timer: unknown;
  private lastPublished = -Infinity;
  private published = 0;
  private closed = false;

  constructor(options: LiveDisplayOptions = {}) {
    const interval = options.minIntervalMs ?? 100;
    if (!(interval >= 0)) throw new Error(`LiveDisplay: minIntervalMs must be ≥ 0; got ${interval}.`);
    this.minIntervalMs = interval;
    this.clock = options.clock ?? systemClock;
    this.publisher = options.publisher;
    this.displayId = options.displayId ?? `alignscope-${randomUUID()}`;
  }

  /** How many bundles were published so far (display + updates). */
  get publishCount(): number {
    return this.published;
  }

  /** Sets the newest state; published now, or when the throttle interval is over. */
  update(bundle: DisplayBundle | (() => DisplayBundle)): void {
    if (this.closed) throw new Error(`LiveDisplay ${this.displayId}: update() after close().`);
    this.pending = typeof bundle === 'function' ? bundle : () => bundle;
    const wait = this.lastPublished + this.minIntervalMs - this.clock.now();
    if (wait <= 0) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
    }
  }

  /** Publishes the pending state now, if any. */
  flush(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const build = this.pending;
    if (!build) return;
    this.pending = undefined;
    const publisher = this.publisher ?? displayPublisher();
    publisher(build(), undefined, { displayId: this.displayId, update: this.published > 0 });
    this.published++;
    this.lastPublished = this.clock.now();
  }

  /** Publishes the final state and stops accepting updates. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
