/**
 * The process-wide cancellation behind Jupyter's `interrupt_request`.
 *
 * Long loops (training, Sinkhorn batches, evaluation) check a token at step boundaries:
 *
 *   import { currentCancellation } from '@alignscope/kernel';   // or kernel/src/jupyter/interrupt
 *   const token = currentCancellation();
 *   for (let step = 0; step < steps; step++) {
 *     if (token.isCancellationRequested) throw new InterruptedError(`interrupted at step ${step}`, step);
 *     await trainStep();                                          // yields to the event loop
 *   }
 *
 * Each cell runs in its own scope (AsyncLocalStorage), so a token taken in a cell stays cancelled after
 * the interrupt even when later cells run; a new cell starts uncancelled. The interrupt counter lives in
 * shared memory, written by the kernel's I/O thread the moment `interrupt_request` arrives, so even a
 * synchronous loop that never yields sees `isCancellationRequested` turn true.
 * The shape matches `train/cancellation.ts` `CancellationToken`, so a trainer accepts this token as is.
 *
 * State lives on `globalThis` (Symbol.for), so a second copy of this module (e.g. src/ under tsx next to
 * dist/) shares it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CancellationToken {
  /** True once an interrupt arrived after this token's cell started. */
  readonly isCancellationRequested: boolean;
  /** Runs `listener` once on interrupt (immediately if already cancelled). Returns an unsubscribe. */
  onCancellationRequested(listener: () => void): () => void;
  /** Throws InterruptedError(`interrupted during ${what}`) when cancelled. */
  throwIfCancellationRequested(what?: string): void;
}

/** What an interrupted loop throws; the kernel shows it as the cell's "interrupted" output. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  constructor(
    message = 'interrupted',
    /** The step the loop had reached, when it has steps. */
    readonly step?: number,
  ) {
    super(message);
  }
}

/** True for an InterruptedError from any copy of this module, and for vm's SIGINT break. */
export function isInterruptError(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const err = e as { name?: unknown; code?: unknown };
  return err.name === 'InterruptedError' || err.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED';
}

interface CellScope {
  /** The interrupt counter when the cell started: cancelled once the counter is larger. */
  readonly start: number;
  readonly listeners: Set<() => void>;
  fired: boolean;
}

interface InterruptState {
  /** Shared with the I/O thread. [0]: interrupts so far; [1]: the I/O thread raised this SIGINT itself. */
  counter: Int32Array;
  als: AsyncLocalStorage<CellScope>;
  latest: CellScope | undefined;
  /** Scopes with listeners not yet fired. */
  pending: Set<CellScope>;
}

const KEY = Symbol.for('alignscope.kernel.interrupt');

function state(): InterruptState {
  const g = globalThis as unknown as Record<symbol, InterruptState | undefined>;
  let s = g[KEY];
  if (!s) {
    s = {
      counter: new Int32Array(new SharedArrayBuffer(8)),
      als: new AsyncLocalStorage<CellScope>(),
      latest: undefined,
      pending: new Set(),
    };
    g[KEY] = s;
  }
  return s;
}

/** How many interrupts this process has received. */
export function interruptCount(): number {
  return Atomics.load(state().counter, 0);
}

function tokenFor(scope: CellScope | undefined): CancellationToken {
  const cancelled = (): boolean => scope !== undefined && interruptCount() > scope.start;
  return {
    get isCancellationRequested(): boolean {
      return cancelled();
    },
    onCancellationRequested(listener: () => void): () => void {
      if (!scope) return () => {};
      if (cancelled()) {
        listener();
        return () => {};
      }
      scope.listeners.add(listener);
      state().pending.add(scope);
      return () => scope.listeners.delete(listener);
    },
    throwIfCancellationRequested(what?: string): void {
      if (cancelled()) throw new InterruptedError(what ? `interrupted during ${what}` : 'interrupted');
    },
  };
}

/**
 * The token of the running cell (the cell whose code called this, across awaits); outside a kernel, a
 * token that is never cancelled unless `requestInterrupt()` is called after `beginCellScope()`.
 */
export function currentCancellation(): CancellationToken {
  const s = state();
  return tokenFor(s.als.getStore() ?? s.latest);
}

// ---- kernel side (used by the kernel process and tests) ----

/** The shared counter, handed to the kernel's I/O thread. */
export function interruptCounterBuffer(): SharedArrayBuffer {
  return state().counter.buffer as SharedArrayBuffer;
}

/** Starts a new cell scope (not cancelled) and makes it the latest. */
export function beginCellScope(): CellScope {
  const s = state();
  const scope: CellScope = { start: interruptCount(), listeners: new Set(), fired: false };
  s.latest = scope;
  return scope;
}

/** Runs `fn` so that `currentCancellation()` inside it, across awaits, is `scope`'s token. */
export function runInCellScope<T>(scope: CellScope, fn: () => T): T {
  return state().als.run(scope, fn);
}

/** True when an interrupt arrived since `scope` began. */
export function scopeInterrupted(scope: CellScope): boolean {
  return interruptCount() > scope.start;
}

/**
 * Fires the listeners of every cancelled scope. The I/O thread bumps the counter itself; the main thread
 * calls this when it hears of it (message or SIGINT).
 */
export function notifyInterrupt(): void {
  const s = state();
  const now = interruptCount();
  for (const scope of [...s.pending]) {
    if (now <= scope.start || scope.fired) continue;
    scope.fired = true;
    s.pending.delete(scope);
    for (const listener of [...scope.listeners]) {
      try {
        listener();
      } catch (e) {
        process.emitWarning(`cancellation listener threw: ${(e as Error)?.message ?? String(e)}`);
      }
    }
    scope.listeners.clear();
  }
}

/** Interrupts from this thread (tests, Ctrl+C in a terminal kernel): bumps the counter and notifies. */
export function requestInterrupt(): void {
  Atomics.add(state().counter, 0, 1);
  notifyInterrupt();
}

/** Slot [1] of the shared counter: the I/O thread sets it before raising SIGINT for an interrupt it already counted. */
export const SIGINT_FROM_IO_SLOT = 1;

/** For the SIGINT handler: true (and cleared) when the I/O thread raised this SIGINT. */
export function takeSigintFromIoThread(): boolean {
  return Atomics.exchange(state().counter, SIGINT_FROM_IO_SLOT, 0) !== 0;
}
