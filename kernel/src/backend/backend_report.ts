/**
 * What `initBackend` tells the user: which compute backend runs, on which device,
 * and, in plain words, why every backend tried before it was skipped.
 */

/** Backends in resolution order (`auto`). */
export const BACKEND_ORDER = ['gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const;

/** A backend alignscope can run on. `gpu` = tfjs-node-gpu (CUDA), `node` = tfjs-node (libtensorflow CPU). */
export type BackendName = (typeof BACKEND_ORDER)[number];

/** What a user may ask for: a backend, or `auto` (the first that works in BACKEND_ORDER). */
export type BackendChoice = BackendName | 'auto';

export interface SkippedBackend {
  name: BackendName;
  /** Why it was not used, in plain words (what is missing and how to get it). */
  reason: string;
}

/** The WebGPU adapter a `webgpu` backend runs on, as Dawn reports it. */
export interface GpuAdapterInfo {
  /** e.g. "nvidia", "mesa". */
  vendor: string;
  /** e.g. "hopper", "software". */
  architecture: string;
  /** Device name as Dawn normalises it, e.g. "nvidia-h100-80gb-hbm3", "llvmpipe-llvm-15-0-6-256-bits-". */
  device: string;
  /** Driver name and version, e.g. "NVIDIA: 580.159.04", "llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6)". */
  driver: string;
  /** A CPU emulation (lavapipe, SwiftShader): correct but slow; `auto` never picks it. */
  software: boolean;
}

export interface BackendReport {
  /** The alignscope backend name. */
  backend: BackendName;
  /** The TF.js backend name underneath (`tensorflow`, `webgpu`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Human-readable device, e.g. "CPU: AMD EPYC 7B13 (WebAssembly SIMD, 1 thread)". */
  device: string;
  /** Backends tried before this one, with the reason each was skipped. */
  skipped: SkippedBackend[];
  /** The GPU adapter, for `webgpu`. */
  adapter?: GpuAdapterInfo;
  /** True when the backend was forced (option or ALIGNSCOPE_BACKEND) rather than resolved by `auto`. */
  forced: boolean;
}

export function isBackendChoice(value: string): value is BackendChoice {
  return value === 'auto' || (BACKEND_ORDER as readonly string[]).includes(value);
}

/** One line for logs and banners: "alignscope backend: wasm — CPU: ... (skipped: gpu: ...; node: ...)". */
export function formatBackendReport(report: BackendReport): string {
  const head = `alignscope backend: ${report.backend} (tfjs '${report.tfBackend}') on ${report.device}`;
  if (report.skipped.length === 0) return head;
  const skipped = report.skipped.map((s) => `  - ${s.name}: ${s.reason}`).join('\n');
  return `${head}\nskipped:\n${skipped}`;
}
