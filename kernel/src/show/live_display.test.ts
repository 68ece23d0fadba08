import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DISPLAY_MIME, type DisplayBundle, type ProgressPayload, type CurvesPayload } from './display_schema';
import { LiveDisplay, type Clock } from './live_display';
import { LiveCurves, LiveProgress } from './live_views';
import { buildProgressBundle } from './progress';
import type { DisplayPublisher, PublishOptions } from './publisher';

/** A clock whose time only moves when the test says so; timers fire in due order. */
class FakeClock implements Clock {
  time = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
  }
  get pending(): number {
    return this.timers.size;
  }
}

interface Published {
  bundle: DisplayBundle;
  options?: PublishOptions;
  at: number;
}

function recorder(clock: FakeClock): { publisher: DisplayPublisher; published: Published[] } {
  const published: Published[] = [];
  return { published, publisher: (bundle, _metadata, options) => published.push({ bundle, options, at: clock.now() }) };
}

const progressOf = (p: Published) => p.bundle[DISPLAY_MIME] as ProgressPayload;

describe('LiveDisplay', () => {
  test('1000 steps over 1 s publish ~10 bundles, one display then updates, and always the last state', () => {
    const clock = new FakeClock();
    const { publisher, published } = recorder(clock);
    const live = new LiveDisplay({ clock, publisher, displayId: 'd1' });
    let built = 0;
    for (let step = 1; step <= 1000; step++) {
      live.update(() => {
        built++;
        return buildProgressBundle({ step, total: 1000 });
      });
      clock.advance(1);
    }
    clock.advance(200); // the trailing timer publishes the final state
    assert.ok(published.length >= 10 && published.length <= 12, `published ${published.length}`);
    assert.equal(built, published.length, 'bundles are only built when published');
    assert.deepEqual(published[0].options, { displayId: 'd1', update: false });
    assert.ok(published.slice(1).every((p) => p.options?.displayId === 'd1' && p.options.update === true));
    for (let i = 1; i < published.length; i++) assert.ok(published[i].at - published[i - 1].at >= 100, 'at most one per 100 ms');
    assert.equal(progressOf(published[published.length - 1]).step, 1000);
    assert.equal(clock.pending, 0);
  });

  test('flush and close publish at once; update after close throws', () => {
    const clock = new FakeClock();
    const { publisher, published } = recorder(clock);
    const live = new LiveDisplay({ clock, publisher });
    live.update(buildProgressBundle({ step: 1, total: 3 }));
    live.update(buildProgressBundle({ step: 2, total: 3 }));
    assert.equal(published.length, 1);
    live.close();
    assert.equal(published.length, 2);
    assert.equal(progressOf(published[1]).step, 2);
    assert.equal(clock.pending, 0, 'the throttle timer is cancelled');
    assert.throws(() => live.update(buildProgressBundle({ step: 3, total: 3 })), /update\(\) after close\(\)/);
    assert.match(live.displayId, /^alignscope-/);
  });
});

describe('live views', () => {
  test('LiveProgress computes elapsed time and ETA from its clock and ends with status done', () => {
    const clock = new FakeClock();
    const { publisher, published } = recorder(clock);
    const bar = new LiveProgress({ total: 100, title: 'training', clock, publisher });
    for (let step = 1; step <= 50; step++) {
      clock.advance(20); // 20 ms per step
      bar.update(step, `loss ${(1 / step).toFixed(3)}`);
    }
    const mid = progressOf(published[published.length - 1]);
    assert.equal(mid.status, 'running');
    assert.ok(mid.etaSeconds !== undefined && mid.etaSeconds !== null && Math.abs(mid.etaSeconds - mid.elapsedSeconds!) < 0.2, JSON.stringify(mid));
    bar.done('finished');
    const last = progressOf(published[published.length - 1]);
    assert.equal(last.status, 'done');
    assert.equal(last.step, 50);
    assert.equal(last.message, 'finished');
    assert.match(published[published.length - 1].bundle['text/plain'], /^training\s+\[#{10}-{10}\] 50\/100 \(50%\)\s+done/);
  });

  test('LiveCurves grows series point by point and the final publish has every point', () => {
    const clock = new FakeClock();
    const { publisher, published } = recorder(clock);
    const curves = new LiveCurves({ title: 'loss', clock, publisher });
    for (let step = 0; step < 300; step++) {
      curves.push('train', step, 1 / (step + 1));
      if (step % 10 === 0) curves.push('val', step, NaN);
      clock.advance(2);
    }
    curves.close();
    assert.ok(published.length < 10, `throttled: ${published.length} publishes for 330 points`);
    const last = published[published.length - 1].bundle[DISPLAY_MIME] as CurvesPayload;
    assert.deepEqual(last.series.map((s) => [s.name, s.x.length]), [['train', 300], ['val', 30]]);
    assert.equal(last.series[1].y[0], null, 'NaN becomes a gap');
  });
});
