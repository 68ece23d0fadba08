/**
 * Cooperative cancellation (the VS Code / .NET shape): whoever starts a loop keeps the source; the loop
 * only sees the token and checks it at step boundaries. A Jupyter `interrupt_request` calls
 * `source.cancel()`; the training loop yields to the event loop between steps so that message can run.
 *
 * @example
 *   const source = new CancellationSource();
 *   const run = train(task, config, { cancel: source.token });
 *   source.cancel();                  // e.g. from an interrupt handler
 *   (await run).stoppedReason;        // 'cancelled'
 */
export interface CancellationToken {
  readonly isCancellationRequested: boolean;
  /** Registers a callback run once on cancellation (immediately if already cancelled). Returns an unsubscribe. */
  onCancellationRequested(listener: () => void): () => void;
}

export class CancellationSource {
  private cancelled = false;
  private readonly listeners = new Set<() => void>();
  readonly token: CancellationToken;

  constructor() {
    const isCancelled = (): boolean => this.cancelled;
    this.token = {
      get isCancellationRequested(): boolean {
        return isCancelled();
      },
      onCancellationRequested: (listener: () => void): (() => void) => {
        if (this.cancelled) {
          listener();
          return () => {};
        }
        this.listeners.add(listener);
        return () => {
          this.listeners.delete(listener);
        };
      },
    };
  }

  /** Requests cancellation; idempotent. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
  }
}

/** A token that is never cancelled. */
export const NEVER_CANCELLED: CancellationToken = {
  isCancellationRequested: false,
  onCancellationRequested: () => () => {},
};

/** On globalThis, so a second copy of this module (loaded by a notebook cell) sees the kernel's provider. */
const AMBIENT = Symbol.for('alignscope.ambientCancellation');
type Provider = () => CancellationToken | undefined;

/**
 * Registers where loops find a token when their caller passed none: the notebook kernel registers the
 * running cell's token, so `train(...)` in a cell stops at the next step on a Jupyter interrupt.
 */
export function setAmbientCancellation(provider: Provider | undefined): void {
  (globalThis as unknown as Record<symbol, Provider | undefined>)[AMBIENT] = provider;
}

/** The ambient token (the running notebook cell's), or one that is never cancelled. */
export function ambientCancellation(): CancellationToken {
  return (globalThis as unknown as Record<symbol, Provider | undefined>)[AMBIENT]?.() ?? NEVER_CANCELLED;
}
