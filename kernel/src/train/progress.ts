/**
 * Progress events of a training run, delivered synchronously to listeners on every step (displays
 * throttle; the trainer does not). A listener that throws does not stop training: the error is
 * reported once on stderr and the listener is dropped.
 */
export type TrainEvent =
  | { kind: 'start'; step: number; totalSteps: number; resumedFrom: string | null }
  | {
      kind: 'step';
      /** Completed steps (1-based: the first update gives step 1). */
      step: number;
      totalSteps: number;
      /** Total loss of this step (before the update). */
      loss: number;
      parts: Record<string, number>;
      /** Learning rate used for this step's update. */
      lr: number;
      /** Global gradient norm before clipping. */
      gradNorm: number;
      /** Examples this run has trained on so far, gradient peers' included (batches when the task gives no batch size). */
      examples: number;
      /** Examples per second over this run so far (batches/s when the task gives no batch size). */
      examplesPerSec: number;
      /** Estimated seconds to the last step, from the mean step time of this run. */
      etaSec: number;
      elapsedSec: number;
    }
  | { kind: 'checkpoint'; step: number; dir: string; reason: string }
  | { kind: 'end'; step: number; stoppedReason: string; message: string };

export type TrainListener = (event: TrainEvent) => void;

/** Fans events out to listeners, isolating the run from a failing listener. */
export class EventFanout {
  private readonly listeners: TrainListener[];
  constructor(listeners: readonly TrainListener[]) {
    this.listeners = listeners.slice();
  }
  emit(event: TrainEvent): void {
    for (const l of this.listeners.slice()) {
      try {
        l(event);
      } catch (e) {
        console.error(`train: a progress listener threw and was removed: ${(e as Error).message}`);
        this.listeners.splice(this.listeners.indexOf(l), 1);
      }
    }
  }
}

/** Throughput and ETA from the run's wall time (`now` in milliseconds, injectable for tests). */
export class ThroughputMeter {
  private readonly t0: number;
  private examples = 0;
  private steps = 0;
  constructor(
    private readonly remainingAtStart: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.t0 = now();
  }
  record(examples: number): { examples: number; examplesPerSec: number; etaSec: number; elapsedSec: number } {
    this.examples += examples;
    this.steps += 1;
    const elapsedSec = Math.max(1e-9, (this.now() - this.t0) / 1000);
    const secPerStep = elapsedSec / this.steps;
    return {
      examples: this.examples,
      examplesPerSec: this.examples / elapsedSec,
      etaSec: Math.max(0, this.remainingAtStart - this.steps) * secPerStep,
      elapsedSec,
    };
  }
}
