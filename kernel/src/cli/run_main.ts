/**
 * Runs the alignscope CLI unconditionally. main.ts runs only when it is the entry module
 * (`require.main === module`), which a bundle defines away; this file is the entry for bundles:
 * scripts/gpu-bundle.sh bundles it as cli.cjs, which scripts/gpu-check.sh runs to train on a GPU machine
 * (GPU_CHECK_TRAIN).
 */
import { runProcess } from './main';

runProcess();
