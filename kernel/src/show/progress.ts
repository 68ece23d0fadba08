/**
 * `show.progress`: a progress bar. For a bar that updates in place during a loop, use
 * show.liveProgress, which throttles updates and computes the ETA.
 *
 * @example show.progress({ step: 40, total: 200, message: 'loss 0.31' });
 */
import { DISPLAY_MIME, type DisplayBundle, type ProgressPayload, type ProgressStatus } from './display_schema';
import { fmt } from './format_text';
import { publish } from './publisher';

export interface ProgressInput {
  step: number;
  /** null or undefined: unknown. */
  total?: number | null;
  message?: string;
  etaSeconds?: number | null;
  elapsedSeconds?: number;
  status?: ProgressStatus;
  title?: string;
}

const OP = 'show.progress';

/** '1h 02m', '3m 07s', '12s'. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

function summary(p: ProgressPayload): string {
  const width = 20;
  const parts: string[] = [];
  if (p.title) parts.push(p.title);
  if (p.total !== null && p.total > 0) {
    const frac = Math.min(1, p.step / p.total);
    const filled = Math.round(frac * width);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${fmt(p.step)}/${fmt(p.total)} (${Math.floor(frac * 100)}%)`);
  } else {
    parts.push(`step ${fmt(p.step)}`);
  }
  if (p.status && p.status !== 'running') parts.push(p.status);
  if (p.elapsedSeconds !== undefined) parts.push(`elapsed ${formatDuration(p.elapsedSeconds)}`);
  if (p.etaSeconds !== undefined && p.etaSeconds !== null && p.status !== 'done') parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  const line = parts.join('  ');
  return p.message ? `${line} — ${p.message}` : line;
}

/** Builds the progress bundle (no publishing). */
export function buildProgressBundle(input: ProgressInput): DisplayBundle {
  const total = input.total ?? null;
  if (!Number.isFinite(input.step) || input.step < 0) throw new Error(`${OP}: step: expected a number ≥ 0, got ${input.step}.`);
  if (total !== null && (!Number.isFinite(total) || total < 0)) throw new Error(`${OP}: total: expected a number ≥ 0 or null, got ${total}.`);
  const payload: ProgressPayload = { kind: 'progress', version: 1, step: input.step, total };
  if (input.title !== undefined) payload.title = input.title;
  if (input.message !== undefined) payload.message = input.message;
  if (input.etaSeconds !== undefined) payload.etaSeconds = input.etaSeconds !== null && Number.isFinite(input.etaSeconds) ? input.etaSeconds : null;
  if (input.elapsedSeconds !== undefined) payload.elapsedSeconds = input.elapsedSeconds;
  if (input.status !== undefined) payload.status = input.status;
  return { [DISPLAY_MIME]: payload, 'text/plain': summary(payload) };
}

/** Shows a progress bar once (see show.liveProgress for one that updates). */
export function progress(input: ProgressInput): void {
  publish(buildProgressBundle(input));
}
