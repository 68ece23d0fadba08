import './tfjs_runtime';
import * as tf from '@tensorflow/tfjs-core';
import {
  BACKEND_ORDER,
  formatBackendReport,
  isBackendChoice,
  type BackendChoice,
  type BackendName,
  type BackendReport,
  type SkippedBackend,
} from './backend_report';
import { loadCpu } from './loaders/cpu';
import type { BackendLoader } from './loaders/load_result';
import { loadTfjsNode, loadTfjsNodeGpu } from './loaders/tfjs_node';
import { loadWasm } from './loaders/wasm';
import { loadWebgpu } from './loaders/webgpu';

const LOADERS: Record<BackendName, BackendLoader> = {
  gpu: loadTfjsNodeGpu,
  webgpu: loadWebgpu,
  node: loadTfjsNode,
  wasm: loadWasm,
  cpu: loadCpu,
};

export interface InitBackendOptions {
  /** A backend, or 'auto'. Default: the ALIGNSCOPE_BACKEND environment variable, else 'auto'. */
  backend?: BackendChoice;
  /** Where the report line goes. Default: console.error (stderr keeps stdout clean for data). Pass null for silence. */
  log?: ((line: string) => void) | null;
}

let current: BackendReport | undefined;

/** The report of the last successful `initBackend`, if any. */
export function backendReport(): BackendReport | undefined {
  return current;
}

/**
 * Chooses and initialises the TF.js compute backend.
 *
 * `auto` tries, in order: tfjs-node-gpu (only if a CUDA GPU is really used), webgpu over Dawn (only a
 * hardware adapter), tfjs-node, wasm (always installed), pure-JS cpu. A forced backend that cannot run
 * throws an Error that says what is missing and how to get it.
 *
 * @example
 *   const report = await initBackend();            // auto
 *   const forced = await initBackend({ backend: 'wasm' });
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendReport> {
  const fromEnv = process.env.ALIGNSCOPE_BACKEND?.trim();
  const choice = options.backend ?? (fromEnv ? fromEnv : 'auto');
  if (!isBackendChoice(choice)) {
    const source = options.backend !== undefined ? 'initBackend option `backend`' : 'ALIGNSCOPE_BACKEND';
    throw new Error(`${source}: expected one of auto, ${BACKEND_ORDER.join(', ')}; got '${choice}'.`);
  }
  const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
  const forced = choice !== 'auto';
  const candidates: readonly BackendName[] = forced ? [choice] : BACKEND_ORDER;
  const skipped: SkippedBackend[] = [];
  for (const name of candidates) {
    const result = await LOADERS[name]({ forced });
    if (result.ok) {
      await tf.ready();
      current = { backend: name, tfBackend: result.tfBackend, device: result.device, skipped, forced };
      if (result.adapter) current.adapter = result.adapter;
      log?.(formatBackendReport(current));
      return current;
    }
    skipped.push({ name, reason: result.reason });
  }
  if (forced) {
    const source = options.backend !== undefined ? `initBackend({ backend: '${choice}' })` : `ALIGNSCOPE_BACKEND=${choice}`;
    throw new Error(`backend '${choice}' was forced (${source}) but is unavailable: ${skipped[0]?.reason}`);
  }
  throw new Error(`no compute backend could be initialised:\n${skipped.map((s) => `  - ${s.name}: ${s.reason}`).join('\n')}`);
}
