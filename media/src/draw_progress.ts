/**
 * `progress`: a bar with step/total, percentage, elapsed time, ETA and message. Live updates reuse
 * the same nodes, so the bar does not flicker.
 */
import type { ProgressPayload } from '../../kernel/src/show/display_schema';
import { el } from './dom';

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

export function drawProgress(root: HTMLElement, p: ProgressPayload): void {
  let bar = root.querySelector<HTMLElement>(':scope > .alignscope-bar');
  if (!bar) {
    bar = el('div', 'alignscope-bar');
    bar.setAttribute('role', 'progressbar');
    const track = el('div', 'alignscope-track');
    track.append(el('div', 'alignscope-fill'));
    bar.append(el('div', 'alignscope-progress-label'), track);
    root.append(bar);
  }
  const known = p.total !== null && p.total > 0;
  const frac = known ? Math.min(1, p.step / (p.total as number)) : 0;
  const status = p.status ?? 'running';
  bar.dataset.status = status;
  bar.classList.toggle('alignscope-indeterminate', !known && status === 'running');
  bar.setAttribute('aria-valuemin', '0');
  if (known) {
    bar.setAttribute('aria-valuemax', String(p.total));
    bar.setAttribute('aria-valuenow', String(p.step));
  }
  (bar.querySelector('.alignscope-fill') as HTMLElement).style.width = `${known ? frac * 100 : status === 'running' ? 30 : 100}%`;
  const parts = [p.title, known ? `${p.step}/${p.total} (${Math.floor(frac * 100)}%)` : `step ${p.step}`];
  if (status !== 'running') parts.push(status);
  if (p.elapsedSeconds !== undefined) parts.push(`elapsed ${duration(p.elapsedSeconds)}`);
  if (p.etaSeconds !== undefined && p.etaSeconds !== null && status === 'running') parts.push(`ETA ${duration(p.etaSeconds)}`);
  if (p.message) parts.push(`— ${p.message}`);
  (bar.querySelector('.alignscope-progress-label') as HTMLElement).textContent = parts.filter(Boolean).join('  ');
}
