/**
 * Runs the alignscope CLI unconditionally. main.ts runs only when it is the entry module
 * (`require.main === module`), which a bundle defines away; this file is the entry for bundles, e.g.
 * `GPU_BUNDLE_BENCH=kernel/src/cli/run_main.ts GPU_BUNDLE_EXTRA_PACKAGES=jpeg-js bash scripts/gpu-bundle.sh`
 * makes .device-bundle/ carry the CLI (as bench.cjs) to train on a GPU machine.
 */
import { runProcess } from './main';

runProcess();
