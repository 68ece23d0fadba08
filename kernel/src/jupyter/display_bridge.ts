/**
 * The display bridge: library code in a cell publishes MIME bundles to the notebook.
 *
 *   publishDisplay({ 'text/plain': 'loss 0.31', 'application/vnd.alignscope.v1+json': { kind: 'curves', ... } },
 *                  {}, { displayId: 'train-3' });                 // display_data with transient.display_id
 *   publishDisplay(nextBundle, {}, { displayId: 'train-3', update: true });   // update_display_data
 *
 * Inside the kernel, the kernel installs a sink that sends the bundle on IOPub with the running cell as
 * parent. Outside a kernel (plain Node, tests) publishing is a no-op that returns false. JSON MIME types
 * (`application/json`, `*+json`) carry JSON objects, never strings.
 *
 * The sink lives on `globalThis` (Symbol.for), so every copy of this module reaches the same kernel.
 */

export type MimeBundle = Record<string, unknown>;

export interface DisplayOptions {
  /** Jupyter display_id: later updates with this id replace the output in place. */
  displayId?: string;
  /** Send update_display_data for `displayId` instead of a new display_data. */
  update?: boolean;
}

export interface DisplayContent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

/** What the kernel installs: sends one display message (or clear_output, content `{ wait }`) on IOPub. */
export type DisplaySink = (msgType: 'display_data' | 'update_display_data' | 'clear_output', content: DisplayContent | { wait: boolean }) => void;

const KEY = Symbol.for('alignscope.kernel.displaySink');

function slot(): Record<symbol, DisplaySink | undefined> {
  return globalThis as unknown as Record<symbol, DisplaySink | undefined>;
}

/** Installs (or removes, with null) the kernel's sink; returns the previous one. */
export function setDisplaySink(sink: DisplaySink | null): DisplaySink | undefined {
  const previous = slot()[KEY];
  slot()[KEY] = sink ?? undefined;
  return previous;
}

/** True when running inside the alignscope kernel (a sink is installed). */
export function isInsideKernel(): boolean {
  return slot()[KEY] !== undefined;
}

/**
 * Publishes a MIME bundle as display_data (or update_display_data with `update`). Returns true when a
 * kernel took it, false outside a kernel.
 */
export function publishDisplay(
  bundle: MimeBundle,
  metadata: Record<string, unknown> = {},
  options: DisplayOptions = {},
): boolean {
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle)) {
    throw new TypeError(`publishDisplay: bundle must be an object of MIME type → data; got ${Array.isArray(bundle) ? 'an array' : typeof bundle}`);
  }
  if (options.update && !options.displayId) {
    throw new TypeError('publishDisplay: options.update needs options.displayId (the display to update)');
  }
  const sink = slot()[KEY];
  if (!sink) return false;
  const transient = options.displayId ? { display_id: options.displayId } : {};
  sink(options.update ? 'update_display_data' : 'display_data', { data: { ...bundle }, metadata: { ...metadata }, transient });
  return true;
}

/**
 * Clears the running cell's outputs (clear_output). With `wait`, the front end clears when the next
 * output arrives, which avoids flicker in hand-made animations. Returns false outside a kernel.
 */
export function clearOutput(wait = false): boolean {
  const sink = slot()[KEY];
  if (!sink) return false;
  sink('clear_output', { wait });
  return true;
}
