import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { startThreadPeers } from './gradient_peers';
import { replicaRng, stepRng } from './step_rng';
import { linearRegressionTask, type LinregBatch } from './test_support/linear_regression_task';
import { train } from './trainer';
import type { TrainTask } from './train_task';

const MODULE = path.join(__dirname, 'test_support', 'linear_regression_task');
const SEED = 3;

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('replica streams: replica r ≥ 1 draws its own batches, replica 0 keeps stepRng', () => {
  assert.notEqual(replicaRng(SEED, 4, 1).nextUint32(), stepRng(SEED, 4).nextUint32());
  assert.notEqual(replicaRng(SEED, 4, 1).nextUint32(), replicaRng(SEED, 4, 2).nextUint32());
  assert.equal(replicaRng(SEED, 4, 1).nextUint32(), replicaRng(SEED, 4, 1).nextUint32());
  assert.throws(() => replicaRng(SEED, 4, 0), /replica index ≥ 1/);
});

test('one gradient peer: the weights after 6 Adam steps equal those of one thread averaging both replicas’ losses', async () => {
  const main = linearRegressionTask({ dim: 3, batch: 8 });
  const peers = await startThreadPeers({ count: 1, module: MODULE, factory: 'linearRegressionTask', args: { dim: 3, batch: 8 }, seed: SEED, backend: 'wasm', variables: main.variables() });
  let r;
  const seen: number[] = [];
  try {
    r = await train(main, { steps: 6, seed: SEED, optimizer: { lr: 0.05 } }, { peers, listeners: [(e) => e.kind === 'step' && seen.push(e.examples)] });
  } finally {
    await peers.close();
  }
  assert.equal(r.stoppedReason, 'completed');
  assert.deepEqual(seen, [16, 32, 48, 64, 80, 96], 'examples counted with the peer’s: 2 × 8 a step');
  const got = main.variables().map((v) => Array.from(v.dataSync()));

  // the reference: one thread, batch = [replica 0's, replica 1's], loss = the mean of the two losses
  const ref = linearRegressionTask({ dim: 3, batch: 8 });
  const both: TrainTask<[LinregBatch, LinregBatch]> = {
    variables: () => ref.variables(),
    nextBatch: (step, rng) => [ref.nextBatch(step, rng), ref.nextBatch(step, replicaRng(SEED, step, 1))],
    disposeBatch: ([a, b]) => (ref.disposeBatch!(a), ref.disposeBatch!(b)),
    lossFn: ([a, b], step) => {
      const la = ref.lossFn(a, step);
      const lb = ref.lossFn(b, step);
      const mean = (x: tf.Scalar, y: tf.Scalar) => tf.div(tf.add(x, y), 2) as tf.Scalar;
      return { total: mean(la.total, lb.total), parts: { mse: mean(la.parts.mse!, lb.parts.mse!), l1w: mean(la.parts.l1w!, lb.parts.l1w!) } };
    },
  };
  const rr = await train(both, { steps: 6, seed: SEED, optimizer: { lr: 0.05 } });
  const want = ref.variables().map((v) => Array.from(v.dataSync()));
  got.flat().forEach((g, i) => assert.ok(Math.abs(g - want.flat()[i]!) < 1e-5, `weight ${i}: ${g} vs ${want.flat()[i]}`));
  r.history.forEach((h, i) => assert.ok(Math.abs(h.loss - rr.history[i]!.loss) < 1e-4, `step ${h.step} loss ${h.loss} vs ${rr.history[i]!.loss}`));
  main.dispose();
  ref.dispose();
});

test('gradient peers: a NaN on a peer stops training as non-finite, before the update', async () => {
  const main = linearRegressionTask({ dim: 3, batch: 8 });
  const peers = await startThreadPeers({ count: 1, module: MODULE, factory: 'linearRegressionTask', args: { dim: 3, batch: 8, nanAtStep: 2 }, seed: SEED, backend: 'wasm', variables: main.variables() });
  try {
    const r = await train(main, { steps: 6, seed: SEED, optimizer: { lr: 0.05 } }, { peers });
    assert.equal(r.stoppedReason, 'non-finite');
    assert.equal(r.step, 2);
  } finally {
    await peers.close();
    main.dispose();
  }
});

test('gradient peers: another architecture or a missing factory is an error naming it', async () => {
  const main = linearRegressionTask({ dim: 3 });
  await assert.rejects(
    startThreadPeers({ count: 1, module: MODULE, factory: 'linearRegressionTask', args: { dim: 4 }, seed: SEED, backend: 'wasm', variables: main.variables() }),
    /variable 0 .* is \[4,1\] there, \[3,1\] here/,
  );
  await assert.rejects(
    startThreadPeers({ count: 1, module: MODULE, factory: 'noSuchTask', args: {}, seed: SEED, backend: 'wasm', variables: main.variables() }),
    /gradient peer 1: .*no export 'noSuchTask'/,
  );
  await assert.rejects(startThreadPeers({ count: 1, module: path.join(__dirname, 'nowhere'), factory: 'x', args: {}, seed: SEED, backend: 'wasm', variables: main.variables() }), /no module .*nowhere/);
  main.dispose();
});
