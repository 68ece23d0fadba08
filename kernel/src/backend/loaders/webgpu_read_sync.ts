import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Synchronous reads (`dataSync`, `arraySync`, `bufferSync`) for the TF.js webgpu backend in Node.
 *
 * Why: tfjs-backend-webgpu reads synchronously through an OffscreenCanvas (a browser's canvas blocks on the
 * GPU); Node has no canvas, so every `dataSync()` on webgpu throws "OffscreenCanvas is not defined". Library
 * code (Sinkhorn's convergence checks, tables, images) reads scalars synchronously, so webgpu must support it.
 *
 * How: WebGPU maps a buffer only asynchronously; Dawn's Node binding completes the map inside
 * `instance.ProcessEvents()`, which it schedules with the global `setImmediate` (a native, unnamed function,
 * see dawn/node/binding/AsyncRunner.cpp). We wrap `setImmediate` before Dawn is created, remember Dawn's
 * pending ProcessEvents callbacks, and a synchronous read copies the tensor to a staging buffer, asks for the
 * map, then runs those callbacks itself (sleeping between them) until the buffer is mapped. A callback run
 * here is marked done, so its original immediate is a no-op. Other setImmediate callers are untouched.
 *
 * Async reads (`await x.data()`) remain the better choice: a sync read stalls the JS thread until the GPU is done.
 */

interface PendingEvent {
  run: () => void;
  done: boolean;
}

const pending: PendingEvent[] = [];
let hooked = false;

function isDawnProcessEvents(fn: unknown, args: unknown[]): fn is () => void {
  return (
    typeof fn === 'function' &&
    fn.name === '' &&
    args.length === 0 &&
    Function.prototype.toString.call(fn).includes('[native code]')
  );
}

/** Wraps globalThis.setImmediate so Dawn's ProcessEvents callbacks can also be run synchronously. Idempotent. */
export function hookDawnEvents(): void {
  if (hooked) return;
  hooked = true;
  const g = globalThis as unknown as { setImmediate: (fn: (...a: unknown[]) => void, ...args: unknown[]) => unknown };
  const original = g.setImmediate;
  const wrapped = function setImmediate(fn: (...a: unknown[]) => void, ...args: unknown[]): unknown {
    if (!isDawnProcessEvents(fn, args)) return original(fn, ...args);
    const event: PendingEvent = { run: fn, done: false };
    pending.push(event);
    return original(() => runEvent(event));
  };
  // Keep util.promisify(setImmediate) working.
  const custom = (original as unknown as Record<symbol, unknown>)[promisify.custom];
  if (custom !== undefined) Object.defineProperty(wrapped, promisify.custom, { value: custom });
  g.setImmediate = wrapped;
}

function runEvent(event: PendingEvent): void {
  if (event.done) return;
  event.done = true;
  const i = pending.indexOf(event);
  if (i >= 0) pending.splice(i, 1);
  event.run();
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks until `buffer` (mapAsync already called) is mapped, by running Dawn's event processing here. */
function waitMapped(buffer: GPUBufferLike, timeoutMs: number): void {
  const start = performance.now();
  let lastEvent = start;
  let pauseMs = 0.01;
  while (buffer.mapState !== 'mapped') {
    const event = pending[0];
    const now = performance.now();
    if (event) {
      runEvent(event);
      lastEvent = now;
    } else if (now - lastEvent > 5000) {
      // Dawn re-schedules its event processing while the map is pending; seeing none means its callbacks
      // go elsewhere (setImmediate replaced after Dawn started, e.g. by fake timers): waiting would hang.
      throw new Error('webgpu dataSync: Dawn schedules no event processing through setImmediate any more (was setImmediate replaced?); use await tensor.data().');
    }
    if (buffer.mapState === 'mapped') break;
    if (now - start > timeoutMs) {
      throw new Error(`webgpu dataSync: the GPU did not finish within ${timeoutMs / 1000} s (buffer mapState '${buffer.mapState}'); use await tensor.data().`);
    }
    Atomics.wait(sleeper, 0, 0, pauseMs);
    pauseMs = Math.min(pauseMs * 2, 1);
  }
}

/** The parts of a GPUBuffer used here. */
interface GPUBufferLike {
  size: number;
  mapState: string;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}

/** The parts of tfjs-backend-webgpu's WebGPUBackend used here (all of them used by its own async read). */
interface WebGPUBackendLike {
  tensorMap: { get(dataId: object): TensorDataLike | undefined; has(dataId: object): boolean };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBufferLike; releaseBuffer(buffer: GPUBufferLike): void };
  commandEncoder: { copyBufferToBuffer(src: GPUBufferLike, so: number, dst: GPUBufferLike, d: number, size: number): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: object, values: tf.backend_util.BackendValues): tf.backend_util.BackendValues;
  readSync(dataId: object): tf.backend_util.BackendValues;
  readSyncInNode?: true;
}

interface TensorDataLike {
  dtype: tf.DataType;
  values: tf.backend_util.BackendValues | null;
  resource?: unknown;
  complexTensorInfos?: { real: { dataId: object }; imag: { dataId: object } };
}

const MAP_READ = 0x0001;
const COPY_DST = 0x0008;
const MODE_READ = 0x0001;

function readSyncInNode(this: WebGPUBackendLike, dataId: object): tf.backend_util.BackendValues {
  const data = this.tensorMap.get(dataId);
  if (!data) throw new Error(`webgpu dataSync: tensor ${JSON.stringify(dataId)} is not registered (disposed?).`);
  if (data.values != null || data.dtype === 'string') return data.values!;
  if (data.dtype === 'complex64') {
    const real = this.readSync(data.complexTensorInfos!.real.dataId) as Float32Array;
    const imag = this.readSync(data.complexTensorInfos!.imag.dataId) as Float32Array;
    return this.convertAndCacheOnCPU(dataId, tf.backend_util.mergeRealAndImagArrays(real, imag));
  }
  const source = data.resource as GPUBufferLike;
  const staging = this.bufferManager.acquireBuffer(source.size, COPY_DST | MAP_READ);
  this.ensureCommandEncoderReady();
  this.endComputePassEncoder();
  this.commandEncoder.copyBufferToBuffer(source, 0, staging, 0, source.size);
  this.submitQueue();
  const mapped = staging.mapAsync(MODE_READ);
  mapped.catch(() => undefined); // its failure is seen below as a buffer that never maps
  waitMapped(staging, 600_000);
  const bytes = staging.getMappedRange().slice(0);
  staging.unmap();
  this.bufferManager.releaseBuffer(staging);
  return this.convertAndCacheOnCPU(dataId, tf.util.convertBackendValuesAndArrayBuffer(bytes, data.dtype));
}

/** Replaces the canvas-based readSync of the registered webgpu backend instance (after tf.setBackend('webgpu')). */
export function enableWebgpuReadSync(): void {
  const backend = tf.findBackend('webgpu') as unknown as WebGPUBackendLike | null;
  if (!backend || backend.readSyncInNode) return;
  if (!hooked) throw new Error('enableWebgpuReadSync: hookDawnEvents() must run before Dawn is created.');
  backend.readSync = readSyncInNode;
  backend.readSyncInNode = true;
}
