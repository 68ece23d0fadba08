import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { SINKHORN_FUSED_WASM_BASE64 } from './sinkhorn_fused_wasm';

/**
 * The runtime of the fused Sinkhorn kernels (sinkhorn_fused.wat): one shared WebAssembly memory, the
 * module instantiated on this thread and on helper worker threads, and a synchronous fork-join over
 * disjoint problem ranges. Helper threads block in Atomics.wait between jobs and never keep the
 * process alive. `ALIGNSCOPE_THREADS` sets the thread count (default: all cores, at most 9).
 */

type Exports = {
  build_kernel(k: number, shift: number, range: number, row0: number, row1: number, mPad: number, negInvEps: number): void;
  iterate(k: number, a: number, b: number, u: number, v: number, w: number, b0: number, b1: number, n: number, mPad: number, iters: number): void;
  iterate16(k: number, a: number, b: number, u: number, v: number, w: number, b0: number, b1: number, n: number, mPad: number, iters: number): void;
  row_sums(k: number, a: number, u: number, v: number, s: number, err: number, b0: number, b1: number, n: number, mPad: number): void;
  plan(k: number, u: number, v: number, out: number, b0: number, b1: number, n: number, mPad: number): void;
};
export type FusedFunction = keyof Exports;

/** Control block layout (Int32 slots): job sequence, then one done counter per helper, then arguments. */
const SEQ = 0;
const DONE = 1; // DONE + helper index
const FN = 16;
const ERROR = 17;
const RANGE_AT = 18; // which argument pair is the [lo, hi) range
const COUNT = 19; // number of arguments
const ARGS = 20; // up to 12 argument slots (20..31); float arguments are stored through a Float32 view
const PARTS = 40; // [lo, hi) of helper h at PARTS + 2h, PARTS + 2h + 1 (8 helpers at most)
const FUNCTIONS: FusedFunction[] = ['build_kernel', 'iterate', 'iterate16', 'row_sums', 'plan'];
const FLOAT_ARGS: Record<FusedFunction, number[]> = { build_kernel: [6], iterate: [], iterate16: [], row_sums: [], plan: [] };

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { memory, module, control, index } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const FUNCTIONS = ${JSON.stringify(FUNCTIONS)};
const FLOAT_ARGS = ${JSON.stringify(FLOAT_ARGS)};
const ctrl = new Int32Array(control);
const asFloat = new Float32Array(control);
let seen = 0;
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(ctrl, ${SEQ}, seen);
  seen = Atomics.load(ctrl, ${SEQ});
  try {
    const name = FUNCTIONS[ctrl[${FN}]];
    const args = [];
    const count = ctrl[${COUNT}];
    for (let i = 0; i < count; i++) args.push(FLOAT_ARGS[name].includes(i) ? asFloat[${ARGS} + i] : ctrl[${ARGS} + i]);
    const lo = ctrl[${PARTS} + 2 * index], hi = ctrl[${PARTS + 1} + 2 * index];
    const rangeAt = ctrl[${RANGE_AT}];
    args[rangeAt] = lo; args[rangeAt + 1] = hi;
    if (hi > lo) exports[name](...args);
  } catch (e) {
    Atomics.store(ctrl, ${ERROR}, 1);
  }
  Atomics.store(ctrl, ${DONE} + index, seen);
  Atomics.notify(ctrl, ${DONE} + index);
}
`;

const PAGE = 65536;

class FusedRuntime {
  readonly memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  private readonly exports: Exports;
  private readonly control = new SharedArrayBuffer(64 * 4);
  private readonly ctrl = new Int32Array(this.control);
  private readonly ctrlFloat = new Float32Array(this.control);
  private readonly helpers: Worker[] = [];
  private sequence = 0;
  busy = false;

  constructor(private readonly module: WebAssembly.Module, threads: number) {
    this.exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Exports;
    for (let index = 0; index < threads - 1; index++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { memory: this.memory, module, control: this.control, index },
      });
      worker.unref();
      this.helpers.push(worker);
    }
  }

  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Makes the memory at least `bytes` long. Views on `memory.buffer` must be re-created afterwards. */
  ensureBytes(bytes: number): void {
    const needed = Math.ceil(bytes / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (needed > 0) this.memory.grow(needed);
  }

  f32(byteOffset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, byteOffset, length);
  }

  /**
   * Calls `name(args)` with the range arguments at positions [rangeAt, rangeAt + 1] split into equal
   * contiguous parts across all threads; returns when every part is done.
   */
  parallel(name: FusedFunction, args: number[], rangeAt: number): void {
    const lo = args[rangeAt]!;
    const hi = args[rangeAt + 1]!;
    const parts = Math.min(this.threads, Math.max(1, hi - lo));
    if (parts === 1 || this.helpers.length === 0) {
      (this.exports[name] as (...a: number[]) => void)(...args);
      return;
    }
    const step = Math.ceil((hi - lo) / parts);
    this.ctrl[FN] = FUNCTIONS.indexOf(name);
    this.ctrl[ERROR] = 0;
    args.forEach((value, i) => {
      if (FLOAT_ARGS[name].includes(i)) this.ctrlFloat[ARGS + i] = value;
      else this.ctrl[ARGS + i] = value;
    });
    this.ctrl[RANGE_AT] = rangeAt;
    this.ctrl[COUNT] = args.length;
    // helper h takes part h + 1; this thread takes part 0
    for (let h = 0; h < this.helpers.length; h++) {
      const partLo = Math.min(hi, lo + (h + 1) * step);
      const partHi = Math.min(hi, lo + (h + 2) * step);
      this.ctrl[PARTS + 2 * h] = partLo;
      this.ctrl[PARTS + 2 * h + 1] = partHi;
    }
    const sequence = ++this.sequence;
    Atomics.store(this.ctrl, SEQ, sequence);
    Atomics.notify(this.ctrl, SEQ);
    const own = [...args];
    own[rangeAt + 1] = Math.min(hi, lo + step);
    (this.exports[name] as (...a: number[]) => void)(...own);
    for (let h = 0; h < this.helpers.length; h++) {
      while (Atomics.load(this.ctrl, DONE + h) !== sequence) Atomics.wait(this.ctrl, DONE + h, Atomics.load(this.ctrl, DONE + h), 1000);
    }
    if (this.ctrl[ERROR] !== 0) throw new Error(`fused Sinkhorn: ${name} trapped on a helper thread.`);
  }
}

let runtime: FusedRuntime | null | undefined;
let enabled = process.env.ALIGNSCOPE_FUSED !== '0';

/** Turns the fused kernels (WebAssembly and WebGPU) on or off (tests and benchmarks compare both paths). */
export function setFusedSinkhornEnabled(on: boolean): void {
  enabled = on;
}

/** Whether the fused kernels may be used (`ALIGNSCOPE_FUSED=0` or `setFusedSinkhornEnabled(false)` turn them off). */
export function fusedSinkhornEnabled(): boolean {
  return enabled;
}

function threadCount(): number {
  const fromEnv = Number(process.env.ALIGNSCOPE_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return Math.min(fromEnv, 9);
  return Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, 9));
}

/** The shared runtime, created on first use; null where WebAssembly SIMD or shared memory is missing. */
export function fusedRuntime(): FusedRuntime | null {
  if (!enabled) return null;
  if (runtime === undefined) {
    try {
      const bytes = Buffer.from(SINKHORN_FUSED_WASM_BASE64, 'base64');
      runtime = new FusedRuntime(new WebAssembly.Module(bytes), threadCount());
    } catch {
      runtime = null; // no SIMD / threads support: the TF.js kernel form is used instead
    }
  }
  return runtime;
}

export type { FusedRuntime };
