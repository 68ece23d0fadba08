import * as tf from '@tensorflow/tfjs-core';
import { forEachBackend, seeded } from './for_each_backend';
(async () => {
  const runs = await forEachBackend(undefined, async (b) => {
    const y = tf.tidy(() => tf.matMul(seeded([8, 49, 32], 1), seeded([8, 16, 32], 2), false, true));
    const v = await y.data(); y.dispose(); return { b: tf.getBackend(), v: v as Float32Array };
  });
  for (const r of runs) console.log(r.backend, r.value.b, r.value.v.slice(0, 3));
  let same = 0; const a = runs[0]!.value.v, w = runs[2]!.value.v;
  for (let i = 0; i < a.length; i++) if (a[i] === w[i]) same++;
  console.log('identical cpu/webgpu', same, a.length);
})();
