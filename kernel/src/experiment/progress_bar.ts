/**
 * The terminal progress display of an experiment: one status line (rewritten in place on a TTY) with
 * the overall bar, the ETA and each active (method, seed) run's step and loss; on a non-TTY stream, a
 * plain line every 10% and one per finished run (logs stay readable).
 */
export interface ActiveRun {
  label: string;
  step: number;
  totalSteps: number;
  loss: number;
  evaluating: boolean;
}

export class ProgressBar {
  private readonly active = new Map<number, ActiveRun>();
  private readonly done = new Set<number>();
  private readonly t0 = Date.now();
  private lastDraw = 0;
  private lastDecile = -1;

  constructor(
    private readonly totalJobs: number,
    private readonly stepsPerJob: number,
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stderr,
  ) {}

  update(job: number, run: ActiveRun): void {
    this.active.set(job, run);
    this.draw(false);
  }

  finish(job: number, line: string): void {
    this.active.delete(job);
    this.done.add(job);
    if (this.stream.isTTY) this.stream.write('\r\x1b[2K');
    this.stream.write(`${line}\n`);
    this.draw(true);
  }

  /** Overall fraction: finished runs count fully; an evaluating run counts its training as done. */
  fraction(): number {
    let steps = this.done.size * this.stepsPerJob;
    for (const r of this.active.values()) steps += r.evaluating ? r.totalSteps : r.step;
    return Math.min(1, steps / Math.max(1, this.totalJobs * this.stepsPerJob));
  }

  line(width = 100): string {
    const f = this.fraction();
    const elapsed = (Date.now() - this.t0) / 1000;
    const eta = f > 0.01 ? (elapsed * (1 - f)) / f : NaN;
    const barWidth = 24;
    const filled = Math.round(f * barWidth);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${(100 * f).toFixed(0).padStart(3)}%`;
    const runs = [...this.active.values()]
      .map((r) => (r.evaluating ? `${r.label} eval` : `${r.label} ${r.step}/${r.totalSteps} loss ${r.loss.toFixed(3)}`))
      .join(' | ');
    const text = `${bar} ${this.done.size}/${this.totalJobs} runs, ${formatDuration(elapsed)} elapsed, ETA ${Number.isNaN(eta) ? '?' : formatDuration(eta)} | ${runs}`;
    return text.length > width ? `${text.slice(0, width - 1)}…` : text;
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (this.stream.isTTY) {
      if (!force && now - this.lastDraw < 200) return;
      this.lastDraw = now;
      this.stream.write(`\r\x1b[2K${this.line((this.stream.columns ?? 120) - 1)}`);
      return;
    }
    const decile = Math.floor(this.fraction() * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${this.line(200)}\n`);
    }
  }

  close(): void {
    if (this.stream.isTTY) this.stream.write('\r\x1b[2K');
  }
}

export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
