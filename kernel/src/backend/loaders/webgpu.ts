import * as tf from '@tensorflow/tfjs-core';
import type { LoadOptions, LoadResult } from './load_result';

const NO_DRIVER_HINT =
  'no Vulkan driver: install the NVIDIA driver (with its Vulkan ICD) for a GPU, or for a software check `mesa-vulkan-drivers` from Debian bookworm-backports, and the Vulkan loader `libvulkan1`.';

/** Patterns of adapters that are CPU emulations, never chosen by `auto`. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|software|cpu/i;

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

function describeAdapter(info: AdapterInfoLike): string {
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((p) => p && p.length > 0);
  return parts.length > 0 ? parts.join(' / ') : 'unnamed adapter';
}

/**
 * `@tensorflow/tfjs-backend-webgpu` over Dawn (npm `webgpu`), i.e. over Vulkan: needs no CUDA version
 * match. Only a hardware adapter is accepted by `auto`; forcing it accepts a software one (lavapipe),
 * which is how the test suite checks correctness on machines without a GPU.
 */
export async function loadWebgpu(options: LoadOptions): Promise<LoadResult> {
  let dawn: { create(flags: string[]): unknown; globals: Record<string, unknown> };
  try {
    dawn = require('webgpu');
  } catch (error) {
    return { ok: false, reason: `the npm package 'webgpu' (Dawn) is not installed: ${(error as Error).message.split('\n')[0]}` };
  }
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(dawn.globals)) if (!(name in g)) g[name] = value;
  const gpu = dawn.create([]) as { requestAdapter(o?: object): Promise<unknown> };
  let adapter: { info?: AdapterInfoLike; requestAdapterInfo?: () => Promise<AdapterInfoLike> } | null;
  try {
    adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as typeof adapter;
  } catch (error) {
    return { ok: false, reason: `WebGPU adapter request failed (${(error as Error).message}); ${NO_DRIVER_HINT}` };
  }
  if (!adapter) return { ok: false, reason: `Dawn found no WebGPU adapter; ${NO_DRIVER_HINT}` };
  const info: AdapterInfoLike = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  const name = describeAdapter(info);
  const software = info.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(name);
  if (software && !options.forced) {
    return {
      ok: false,
      reason: `only a software WebGPU adapter was found (${name}); auto never picks it. Force it with ALIGNSCOPE_BACKEND=webgpu to check correctness.`,
    };
  }
  // tfjs-backend-webgpu looks for navigator.gpu; Node 21+ has a navigator object, Node 20 has none.
  const nav = (g.navigator ?? {}) as Record<string, unknown>;
  Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  if (g.navigator === undefined) Object.defineProperty(g, 'navigator', { value: nav, configurable: true });
  try {
    require('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-webgpu is not installed: ${(error as Error).message.split('\n')[0]}` };
  }
  try {
    if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: `TF.js could not initialise WebGPU on ${name}.` };
  } catch (error) {
    return { ok: false, reason: `TF.js could not initialise WebGPU on ${name}: ${(error as Error).message}` };
  }
  return { ok: true, tfBackend: 'webgpu', device: `${software ? 'software' : 'GPU'} WebGPU adapter: ${name} (Dawn over Vulkan)` };
}
