/**
 * Synchronous data parallelism on one machine: `count` peer threads (node:worker_threads), each with its
 * own compute backend and its own copy of the task, compute the gradients of their own batch while the
 * training thread computes its own; the trainer averages them, clips and updates once (PyTorch DDP's
 * semantics: effective batch = (1 + count) × the task's batch).
 *
 * Why threads: TF.js's wasm backend runs on one thread in Node (it disables its wasm threads there), so
 * a second core only helps as a second backend instance.
 *
 * Per step s, with weights w (the training thread's, read before the step):
 *
 *   training thread: posts s and w (shared memory) → computes g₀ on batch(stepRng(seed, s)) → awaits the peers
 *   peer r (1…count): assigns w → g_r on batch(replicaRng(seed, s, r)) → writes g_r (shared memory) → replies
 *   trainer: g = (g₀ + Σ g_r) / (1 + count), parts averaged the same way → clip → one optimiser update
 *
 * A peer builds its task by calling `factory` exported by `module` with `args` (copied by structured
 * clone: JSON values and typed arrays, e.g. dataset records) — the same architecture as the training
 * thread's, so the variables match by position and shape (checked at start).
 * Peers keep no state between steps except the task: resume and checkpoints are the trainer's alone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs-core';

/** The peers' reply for one step: summed over peers. */
export interface PeerGradients {
  /** Per variable, Σ_r g_r (zeros where no peer's loss reached the variable), or null if none did. */
  grads: (Float32Array | null)[];
  /** Σ_r [total, ...parts] in the task's part order. */
  parts: Float64Array;
  /** Σ_r examples of the peers' batches. */
  examples: number;
}

export interface GradientPeers {
  /** Number of peer threads. */
  readonly count: number;
  /** Posts step `step` and the current weights to every peer; resolves with their summed gradients. */
  gradients(step: number, weights: readonly Float32Array[]): Promise<PeerGradients>;
  /** Stops the peer threads. */
  close(): Promise<void>;
}

export interface ThreadPeersOptions {
  count: number;
  /** Absolute path of the module (without extension: .ts under tsx, .js in the build) exporting `factory`. */
  module: string;
  /** Name of an export `(args) => TrainTask | Promise<TrainTask>`. */
  factory: string;
  /** JSON arguments of the factory. */
  args: unknown;
  /** The run's seed (peers draw from replicaRng(seed, step, r)). */
  seed: number;
  /** The TF.js backend of the peers (the training thread's). */
  backend: string;
  /** The training thread's variables (shapes checked against each peer's). */
  variables: readonly tf.Variable[];
}

/** Messages of the peer protocol (training thread ⇄ peer_worker.ts). */
export type PeerRequest = { kind: 'step'; step: number };
export type PeerReply =
  | { kind: 'ready'; shapes: number[][] }
  | { kind: 'done'; step: number; parts: number[]; present: boolean[]; examples: number }
  | { kind: 'error'; message: string };

export interface PeerWorkerData {
  index: number;
  module: string;
  factory: string;
  args: unknown;
  seed: number;
  backend: string;
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
}

/** Where each variable lives in the shared flat buffers (weights, gradients): sizes, start offsets, total. */
export function flatLayout(variables: readonly tf.Variable[]): { sizes: number[]; offsets: number[]; total: number } {
  const sizes = variables.map((v) => v.size);
  const offsets: number[] = [];
  let total = 0;
  for (const n of sizes) {
    offsets.push(total);
    total += n;
  }
  return { sizes, offsets, total };
}

/** The peer entry: the build's peer_worker.js, or under the TypeScript sources (tests, tsx) a bootstrap that registers tsx's require hook in the thread first. */
function workerEntry(): { source: string; eval: boolean } {
  const ts = join(__dirname, 'peer_worker.ts');
  if (__filename.endsWith('.ts') && existsSync(ts)) return { source: `require('tsx/cjs'); require(${JSON.stringify(ts)});`, eval: true };
  return { source: join(__dirname, 'peer_worker.js'), eval: false };
}

function resolveModule(base: string): string {
  for (const ext of __filename.endsWith('.ts') ? ['.ts', '.js'] : ['.js', '.ts']) if (existsSync(base + ext)) return base + ext;
  throw new Error(`gradient peers: no module '${base}.ts' or '${base}.js' to build the peers' task from.`);
}

/** Starts `count` peer threads and waits until each has built its task. */
export async function startThreadPeers(o: ThreadPeersOptions): Promise<GradientPeers> {
  if (!Number.isInteger(o.count) || o.count < 1) throw new Error(`gradient peers: count must be a positive integer; got ${o.count}.`);
  const { sizes, offsets, total } = flatLayout(o.variables);
  const weights = new SharedArrayBuffer(total * 4);
  const weightView = new Float32Array(weights);
  const module = resolveModule(o.module);
  const entry = workerEntry();
  const peers = Array.from({ length: o.count }, (_, k) => {
    const grads = new SharedArrayBuffer(total * 4);
    const data: PeerWorkerData = { index: k + 1, module, factory: o.factory, args: o.args, seed: o.seed, backend: o.backend, weights, grads };
    const worker = new Worker(entry.source, { eval: entry.eval, workerData: data });
    return { worker, grads: new Float32Array(grads) };
  });
  let failure: Error | null = null;
  const waiters = peers.map((p, k) => {
    let waiting: ((m: PeerReply) => void) | null = null;
    const queue: PeerReply[] = [];
    const deliver = (m: PeerReply): void => {
      if (!waiting) return void queue.push(m);
      const w = waiting;
      waiting = null;
      w(m);
    };
    const fail = (e: Error): void => {
      failure ??= new Error(`gradient peer ${k + 1}: ${e.message}`);
      deliver({ kind: 'error', message: failure.message });
    };
    p.worker.on('message', deliver);
    p.worker.on('error', fail);
    p.worker.on('exit', (code) => code !== 0 && fail(new Error(`exited with code ${code}`)));
    return (): Promise<PeerReply> => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => (waiting = resolve)));
  });
  const expect = async <K extends PeerReply['kind']>(k: number, kind: K): Promise<PeerReply & { kind: K }> => {
    const m = await waiters[k]!();
    if (m.kind === 'error') throw new Error(m.message.startsWith('gradient peer') ? m.message : `gradient peer ${k + 1}: ${m.message}`);
    if (m.kind !== kind) throw new Error(`gradient peer ${k + 1}: expected '${kind}', got '${m.kind}'.`);
    return m as PeerReply & { kind: K };
  };
  const close = async (): Promise<void> => {
    await Promise.all(peers.map((p) => p.worker.terminate()));
  };
  try {
    const ready = await Promise.all(peers.map((_, k) => expect(k, 'ready')));
    ready.forEach((r, k) => {
      const mismatch = o.variables.findIndex((v, i) => !r.shapes[i] || r.shapes[i]!.join(',') !== v.shape.join(','));
      if (mismatch >= 0 || r.shapes.length !== o.variables.length) {
        throw new Error(
          `gradient peer ${k + 1}: its task has ${r.shapes.length} variables, the training thread's ${o.variables.length}` +
            (mismatch >= 0 ? `; variable ${mismatch} ('${o.variables[mismatch]!.name}') is [${r.shapes[mismatch] ?? '—'}] there, [${o.variables[mismatch]!.shape}] here` : '') +
            ` (the factory '${o.factory}' must build the same architecture).`,
        );
      }
    });
  } catch (e) {
    await close();
    throw e;
  }
  return {
    count: o.count,
    async gradients(step, values) {
      if (failure) throw failure;
      values.forEach((v, i) => weightView.set(v, offsets[i]));
      peers.forEach((p) => p.worker.postMessage({ kind: 'step', step } satisfies PeerRequest));
      const replies = await Promise.all(peers.map((_, k) => expect(k, 'done')));
      const grads = sizes.map((n, i) => {
        if (!replies.some((r) => r.present[i])) return null;
        const sum = new Float32Array(n);
        peers.forEach((p, k) => {
          if (!replies[k]!.present[i]) return;
          const g = p.grads.subarray(offsets[i]!, offsets[i]! + n);
          for (let j = 0; j < n; j++) sum[j] += g[j]!;
        });
        return sum;
      });
      const parts = new Float64Array(replies[0]!.parts.length);
      replies.forEach((r) => r.parts.forEach((v, j) => (parts[j] += v)));
      return { grads, parts, examples: replies.reduce((a, r) => a + r.examples, 0) };
    },
    close,
  };
}
