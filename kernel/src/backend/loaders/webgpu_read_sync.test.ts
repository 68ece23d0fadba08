import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init_backend';
import { probeWebgpuAdapter } from './webgpu';

describe('webgpu synchronous reads (dataSync) in Node', () => {
  let missing: string | undefined;
  before(async () => {
    const probe = await probeWebgpuAdapter();
    if ('reason' in probe) {
      missing = probe.reason;
      if (process.env.CI === 'true') assert.fail(`webgpu is required under CI=true: ${probe.reason}`);
      return;
    }
    await initBackend({ backend: 'webgpu', log: null });
    tf.env().set('WEBGPU_CPU_FORWARD', false); // every op on the GPU, even tiny ones
  });

  test('dataSync / arraySync of float32, int32 and bool results computed on the GPU', (t) => {
    if (missing) return t.skip(missing);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.range(0, 4096, 1, 'float32').reshape([64, 64]); // [64, 64]
      const y = tf.matMul(x, tf.eye(64)); // [64, 64], same values
      const values = y.dataSync();
      assert.equal(values.length, 4096);
      assert.equal(values[4095], 4095);
      assert.deepEqual(tf.sum(y).arraySync(), (4095 * 4096) / 2);
      assert.deepEqual(Array.from(tf.cast(tf.add(x, 0.5), 'int32').slice([0, 0], [1, 3]).dataSync()), [0, 1, 2]);
      assert.deepEqual(Array.from(tf.greater(x.slice([0, 0], [1, 3]), 1).dataSync()), [0, 0, 1]);
    });
    assert.equal(tf.memory().numTensors, before);
  });

  test('sync and async reads interleave; a scalar read per iteration, as a solver loop does', async (t) => {
    if (missing) return t.skip(missing);
    let s: tf.Tensor = tf.scalar(0);
    for (let i = 0; i < 50; i++) {
      const next = tf.add(s, 1);
      s.dispose();
      s = next;
      assert.equal(s.dataSync()[0], i + 1);
    }
    assert.equal((await s.data())[0], 50);
    s.dispose();
  });

  test('other setImmediate users are unaffected', async () => {
    const order: string[] = [];
    await new Promise<void>((resolve) => setImmediate((a: string) => (order.push(a), resolve()), 'arg'));
    await promisify(setImmediate)();
    assert.deepEqual(order, ['arg']);
  });
});
