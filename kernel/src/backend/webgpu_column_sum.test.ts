/**
 * The one-dispatch column sum on webgpu (webgpu_column_sum.ts) and `rowSum`'s use of it: equal to tf.sum(x, 0)
 * within float32 rounding for shapes around the workgroup size, one dispatch, no leaks. Runs on the webgpu
 * backend (lavapipe on machines without a GPU); skipped where WebGPU is missing, except under CI=true.
 */
import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { recordWebgpu, useWebgpuBackend } from './test_support/webgpu_test_backend';
import { rowSum } from './fast_matmul_gradient';
import { columnSumWebGPU } from './webgpu_column_sum';

const webgpu = useWebgpuBackend();

it('column sums equal tf.sum(x, 0) for 1, 63, 64, 65 and 2055 rows; rowSum takes one dispatch', async (t: TestContext) => {
  if (webgpu.skip(t)) return;
  const before = tf.memory().numTensors;
  for (const [N, m] of [[1, 3], [63, 130], [64, 1], [65, 17], [2055, 128]] as const) {
    const [got, want] = tf.tidy(() => {
      const x = tf.randomNormal([N, m], 0, 1, 'float32', N) as tf.Tensor2D;
      return [columnSumWebGPU(x), tf.sum(x, 0)];
    });
    const [g, w] = [await got.data(), await want.data()];
    tf.dispose([got, want]);
    for (let j = 0; j < m; j++) assert.ok(Math.abs(g[j]! - w[j]!) <= 1e-5 * Math.sqrt(N) * 4, `[${N}, ${m}] column ${j}: ${g[j]} vs ${w[j]}`);
  }
  const x = tf.ones([300, 40]) as tf.Tensor2D;
  await x.data();
  let s: tf.Tensor1D | undefined;
  const { programs } = recordWebgpu(() => {
    s = rowSum(x);
  });
  assert.deepEqual(programs, ['ColumnSumProgram']);
  assert.deepEqual(Array.from(await s!.data()), Array(40).fill(300));
  tf.dispose([x, s!]);
  assert.equal(tf.memory().numTensors, before, 'tensor leak');
});
