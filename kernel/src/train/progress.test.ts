import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancellationSource } from './cancellation';
import { ThroughputMeter } from './progress';

test('ThroughputMeter: examples/s and ETA from the mean step time (injected clock)', () => {
  let now = 0;
  const meter = new ThroughputMeter(10, () => now);
  now = 2000; // first step took 2 s
  assert.deepEqual(meter.record(8), { examples: 8, examplesPerSec: 4, etaSec: 18, elapsedSec: 2 });
  now = 3000; // second step 1 s → mean 1.5 s
  assert.deepEqual(meter.record(8), { examples: 16, examplesPerSec: 16 / 3, etaSec: 12, elapsedSec: 3 });
});

test('CancellationSource: listeners run once, unsubscribe works, late listeners run immediately', () => {
  const source = new CancellationSource();
  const calls: string[] = [];
  source.token.onCancellationRequested(() => calls.push('a'));
  const off = source.token.onCancellationRequested(() => calls.push('b'));
  off();
  assert.equal(source.token.isCancellationRequested, false);
  source.cancel();
  source.cancel();
  assert.equal(source.token.isCancellationRequested, true);
  source.token.onCancellationRequested(() => calls.push('late'));
  assert.deepEqual(calls, ['a', 'late']);
});
