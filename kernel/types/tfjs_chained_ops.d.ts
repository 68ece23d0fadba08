// Type declarations for TF.js chained tensor methods (`x.add(y)`, `x.sum(1)`, ...). At runtime they are
// registered by `backend/tfjs_runtime.ts` (the @tensorflow/tfjs bundle); tfjs-core's CommonJS build
// alone registers neither chained methods nor gradients.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
