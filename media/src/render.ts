/**
 * `render(container, value)`: draws one alignscope display payload into `container`.
 *
 * - `value`: the payload object, or its JSON string (some kernels send JSON MIME items as strings).
 * - A malformed payload, or a drawing failure, shows a visible error box with the reason.
 * - Calling it again on the same container (a live `update_display_data`) updates in place for
 *   `curves` and `progress` (axes and zoom kept); other kinds are redrawn.
 * - `data-rendered="true"` is set on the container once drawing has finished (the done signal for
 *   tests), `data-kind` says what was drawn ('error' for the error box).
 */
import type { DisplayPayload } from '../../kernel/src/show/display_schema';
import { validateDisplayPayload } from '../../kernel/src/show/display_validate';
import { el } from './dom';
import { drawAlignment } from './draw_alignment';
import { drawBoxes } from './draw_boxes';
import { drawCurves } from './draw_curves';
import { drawPlan } from './draw_plan';
import { drawProgress } from './draw_progress';
import { drawTable } from './draw_table';
import { loadPlotly, type PlotlyApi } from './plotly_api';
import { ensureStyles } from './styles';

/** Kinds redrawn in place on a live update (the others are rebuilt). */
const IN_PLACE = new Set(['curves', 'progress']);

let plotlyForDispose: PlotlyApi | undefined;

/** Purges every plotly figure in `container` and empties it. */
export function dispose(container: HTMLElement): void {
  if (plotlyForDispose) container.querySelectorAll<HTMLElement>('.js-plotly-plot').forEach((div) => plotlyForDispose?.purge(div));
  container.replaceChildren();
  delete container.dataset.rendered;
  delete container.dataset.kind;
}

function showError(container: HTMLElement, reason: string): void {
  dispose(container);
  const box = el('div', 'alignscope alignscope-error');
  box.setAttribute('role', 'alert');
  box.append(el('strong', undefined, 'alignscope: cannot draw this output'), el('pre', undefined, reason));
  container.append(box);
  container.dataset.kind = 'error';
  container.dataset.rendered = 'true';
}

async function draw(root: HTMLElement, p: DisplayPayload): Promise<void> {
  switch (p.kind) {
    case 'table':
      return drawTable(root, p);
    case 'progress':
      return drawProgress(root, p);
  }
  const plotly = await loadPlotly();
  plotlyForDispose = plotly;
  switch (p.kind) {
    case 'alignment':
      return drawAlignment(root, p, plotly);
    case 'plan':
      return drawPlan(root, p, plotly);
    case 'curves':
      return drawCurves(root, p, plotly);
    case 'boxes':
      return drawBoxes(root, p, plotly);
  }
}

/** Render calls per container: a slow render must not mark a newer one done (or replace it with an error). */
const generations = new WeakMap<HTMLElement, number>();

export async function render(container: HTMLElement, value: unknown): Promise<void> {
  ensureStyles(container.ownerDocument);
  const generation = (generations.get(container) ?? 0) + 1;
  generations.set(container, generation);
  const current = () => generations.get(container) === generation;
  container.dataset.rendered = 'false';
  const checked = validateDisplayPayload(value);
  if (!checked.ok) return showError(container, checked.reason);
  const p = checked.payload;
  let root = container.firstElementChild as HTMLElement | null;
  const reuse = root !== null && container.dataset.kind === p.kind && IN_PLACE.has(p.kind);
  if (!reuse) {
    dispose(container);
    root = el('div', `alignscope alignscope-${p.kind}`);
    container.append(root);
    container.dataset.kind = p.kind;
  }
  try {
    await draw(root as HTMLElement, p);
    if (current()) container.dataset.rendered = 'true';
  } catch (e) {
    if (current()) showError(container, `${p.kind}: drawing failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
