import * as tf from '@tensorflow/tfjs-core';
import type { GpuAdapterInfo } from '../backend_report';
import type { LoadOptions, LoadResult } from './load_result';
import { explainNoAdapter } from './vulkan_diagnosis';
import { enableWebgpuReadSync, hookDawnEvents } from './webgpu_read_sync';

/**
 * `@tensorflow/tfjs-backend-webgpu` over Dawn (npm `webgpu`, Dawn's Node binding), i.e. over Vulkan on
 * Linux: needs no CUDA version match. Only a hardware adapter is accepted by `auto`; forcing it accepts a
 * software one (Mesa lavapipe), which is how the test suite checks correctness on machines without a GPU.
 *
 * Synchronous reads (`dataSync`) work through `webgpu_read_sync.ts`; TF.js alone would need an OffscreenCanvas.
 * Dawn prints "XDG_RUNTIME_DIR is invalid" and "max...PerPipelineLayout artificially reduced" on stderr: harmless.
 */

/** Names of adapters that are CPU emulations, never chosen by `auto`. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software rasterizer/i;

/** What Dawn's GPUAdapterInfo holds (a subset). */
interface DawnAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface DawnAdapter {
  info?: DawnAdapterInfo;
  isFallbackAdapter?: boolean;
}

interface DawnGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<DawnAdapter | null>;
}

interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

/** The adapter as our report names it; pure, for tests. */
export function toAdapterInfo(adapter: DawnAdapter): GpuAdapterInfo {
  const info = adapter.info ?? {};
  const vendor = info.vendor || 'unknown vendor';
  const architecture = info.architecture || 'unknown architecture';
  const device = info.device || 'unnamed device';
  // Dawn's description on Vulkan is "<driverName>: <driverInfo>" (e.g. "NVIDIA: 580.159.04").
  const driver = info.description || 'unknown driver';
  const software =
    info.isFallbackAdapter === true ||
    adapter.isFallbackAdapter === true ||
    architecture === 'software' ||
    SOFTWARE_ADAPTER.test(`${device} ${driver}`);
  return { vendor, architecture, device, driver, software };
}

/** "NVIDIA hopper nvidia-h100-80gb-hbm3, driver NVIDIA: 580.159.04". */
export function describeAdapter(a: GpuAdapterInfo): string {
  return `${a.vendor} ${a.architecture} ${a.device}, driver ${a.driver}`;
}

/** Dawn and the adapter, found once per process (a second Dawn instance would be a second Vulkan instance). */
let found: Promise<{ gpu: DawnGpu; adapter: GpuAdapterInfo } | { reason: string }> | undefined;

async function findAdapter(): Promise<{ gpu: DawnGpu; adapter: GpuAdapterInfo } | { reason: string }> {
  let dawn: DawnModule;
  try {
    // `webgpu` is an ES module and an optionalDependency: a runtime import with a non-literal specifier.
    const specifier = 'webgpu';
    dawn = (await import(specifier)) as DawnModule;
  } catch (error) {
    const first = (error as Error).message.split('\n')[0];
    return {
      reason: `the npm package 'webgpu' (Dawn's Node binding, an optional dependency) could not be loaded (${first}). Install it with \`npm install webgpu@0.6.2\`; it ships a prebuilt dawn.node for linux-x64, linux-arm64, darwin and win32.`,
    };
  }
  const g = globalThis as Record<string, unknown>;
  // tfjs-backend-webgpu refers to GPUBufferUsage, GPUMapMode, ... as globals, as in a browser.
  for (const [name, value] of Object.entries(dawn.globals)) if (!(name in g)) g[name] = value;
  let adapter: DawnAdapter | null;
  try {
    hookDawnEvents(); // before Dawn schedules its first event processing: makes dataSync possible
    const gpu = dawn.create([]);
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return { reason: explainNoAdapter() };
    return { gpu, adapter: toAdapterInfo(adapter) };
  } catch (error) {
    return { reason: `the WebGPU adapter request failed (${(error as Error).message.split('\n')[0]}); ${explainNoAdapter()}` };
  }
}

/** The adapter Dawn would give `webgpu`, or why there is none; loads Dawn but not the TF.js backend. */
export async function probeWebgpuAdapter(): Promise<GpuAdapterInfo | { reason: string }> {
  found ??= findAdapter();
  const result = await found;
  return 'reason' in result ? result : result.adapter;
}

export async function loadWebgpu(options: LoadOptions): Promise<LoadResult> {
  found ??= findAdapter();
  const result = await found;
  if ('reason' in result) return { ok: false, reason: result.reason };
  const { gpu, adapter } = result;
  const name = describeAdapter(adapter);
  if (adapter.software && !options.forced) {
    return {
      ok: false,
      reason: `only a software WebGPU adapter was found (${name}): a CPU emulation, slower than wasm; auto never picks it. Force it with ALIGNSCOPE_BACKEND=webgpu to check correctness; for speed install the GPU's Vulkan driver.`,
    };
  }
  // tfjs-backend-webgpu looks for navigator.gpu; Node 21+ has a navigator object, Node 20 has none.
  const g = globalThis as Record<string, unknown>;
  const nav = (g.navigator ?? {}) as Record<string, unknown>;
  if (nav.gpu !== gpu) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  if (g.navigator === undefined) Object.defineProperty(g, 'navigator', { value: nav, configurable: true });
  try {
    require('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    return {
      ok: false,
      reason: `@tensorflow/tfjs-backend-webgpu (an optional dependency) could not be loaded (${(error as Error).message.split('\n')[0]}). Install it with \`npm install @tensorflow/tfjs-backend-webgpu@4.22.0\`.`,
    };
  }
  try {
    if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: `TF.js could not initialise WebGPU on ${name}.` };
  } catch (error) {
    return { ok: false, reason: `TF.js could not initialise WebGPU on ${name}: ${(error as Error).message}` };
  }
  enableWebgpuReadSync();
  const batch = submitBatchSize();
  if (batch !== null) tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', batch);
  const kind = adapter.software ? 'software (CPU-emulated) WebGPU adapter' : 'GPU';
  return { ok: true, tfBackend: 'webgpu', device: `${kind}: ${name} (WebGPU, Dawn over Vulkan)`, adapter };
}

/**
 * How many dispatches TF.js records before it submits them to the GPU queue (its flag
 * WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE, default 15). ALIGNSCOPE_WEBGPU_SUBMIT_BATCH=N sets it; null keeps TF.js's.
 */
function submitBatchSize(): number | null {
  const raw = process.env.ALIGNSCOPE_WEBGPU_SUBMIT_BATCH;
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`ALIGNSCOPE_WEBGPU_SUBMIT_BATCH: expected a positive integer, got '${raw}'.`);
  return n;
}
