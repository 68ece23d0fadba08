/**
 * Layer norm on webgpu (webgpu_layer_norm_programs.ts: 2 dispatches forward, 3 backward) against the op
 * formulation on the cpu backend: rows and widths around the 64-invocation workgroup (strided loops), values
 * and all three gradients within 1e-5 (scaled), dispatch counts, no leaks. Skipped where WebGPU is missing,
 * except under CI=true.
 */
import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { recordWebgpu, useWebgpuBackend } from '../backend/test_support/webgpu_test_backend';
import { layerNormOp } from './layer_norm';

const webgpu = useWebgpuBackend();

/** Value and gradients of sum(LN(x) ⊙ r) on the active backend, from seeded inputs. */
async function run(N: number, d: number): Promise<Float32Array[]> {
  const out = tf.tidy(() => {
    const x = tf.add(tf.mul(tf.randomNormal([N, d], 0, 1, 'float32', 1), 3), 0.5) as tf.Tensor2D;
    const gain = tf.randomNormal([d], 1, 0.5, 'float32', 2) as tf.Tensor1D;
    const bias = tf.randomNormal([d], 0, 1, 'float32', 3) as tf.Tensor1D;
    const r = tf.randomNormal([N, d], 0, 1, 'float32', 4);
    const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNormOp(1e-5)(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), r)) as tf.Scalar;
    return [layerNormOp(1e-5)(x, gain, bias), ...tf.grads(f)([x, gain, bias])];
  });
  const values = await Promise.all(out.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(out);
  return values;
}

it('fused layer norm agrees with the op path (cpu) for [N, d] around the workgroup size; 2 + 3 dispatches', async (t: TestContext) => {
  if (webgpu.skip(t)) return;
  const before = tf.memory().numTensors;
  for (const [N, d] of [[1, 5], [70, 64], [100, 130], [3, 300]] as const) {
    await tf.setBackend('webgpu');
    const gpu = await run(N, d);
    await tf.setBackend('cpu');
    const cpu = await run(N, d);
    ['y', 'dx', 'dgain', 'dbias'].forEach((name, k) => {
      const scale = Math.max(1, ...Array.from(cpu[k]!, Math.abs));
      for (let i = 0; i < cpu[k]!.length; i++) {
        assert.ok(Math.abs(gpu[k]![i]! - cpu[k]![i]!) <= 1e-5 * scale, `[${N}, ${d}] ${name}[${i}]: ${gpu[k]![i]} vs ${cpu[k]![i]}`);
      }
    });
  }
  await tf.setBackend('webgpu');
  const [x, gain, bias] = [tf.ones([8, 32]) as tf.Tensor2D, tf.ones([32]) as tf.Tensor1D, tf.zeros([32]) as tf.Tensor1D];
  await Promise.all([x.data(), gain.data(), bias.data()]);
  const { programs } = recordWebgpu(() => {
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(layerNormOp(1e-5)(a as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D)) as tf.Scalar)([x, gain, bias]);
    tf.dispose(grads);
  });
  const ours = programs.filter((p) => !['ReduceProgram', 'FillProgram', 'BinaryOpProgram', 'UnaryOpProgram', 'TileProgram'].includes(p)); // tf.sum and its gradient
  assert.deepEqual(ours, ['StatsProgram', 'ApplyProgram', 'InputGradProgram', 'ParamGradProgram', 'ParamGradProgram']);
  tf.dispose([x, gain, bias]);
  assert.equal(tf.memory().numTensors, before, 'tensor leak');
});
