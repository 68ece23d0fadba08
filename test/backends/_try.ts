import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../kernel/src/backend';
(async () => {
  const t0 = Date.now();
  const r = await initBackend({ backend: 'webgpu' });
  console.log(JSON.stringify(r), Date.now() - t0, 'ms');
  const a = tf.randomNormal([256, 256]);
  const c = tf.matMul(a, a);
  console.log((await c.data())[0], tf.getBackend());
  const auto = await initBackend({ backend: 'auto' });
  console.log(JSON.stringify(auto));
})().catch((e) => { console.error('ERR', e); process.exit(1); });
