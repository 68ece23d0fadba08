/**
 * Where `show.*` sends its bundles. show/ sits below jupyter/ in the layering, so it does not import
 * the kernel's display bridge; the kernel installs it at start:
 *
 *   setDisplayPublisher((bundle, metadata, options) => publishDisplay(bundle, metadata, options));
 *
 * (kernel/src/jupyter/kernel_server.ts does this).
 *
 * Without a kernel (a plain Node script, a test), the default publisher prints the text/plain item
 * of each new display (of live updates, only a progress bar's final state), so `show.*` is still
 * useful headless.
 */
import { DISPLAY_MIME, type DisplayBundle } from './display_schema';

export interface PublishOptions {
  /** Jupyter display_id: later updates with the same id replace this output. */
  displayId?: string;
  /** true: send update_display_data for `displayId` instead of a new display_data. */
  update?: boolean;
}

/** The signature of kernel/src/jupyter/display_bridge.ts `publishDisplay`. */
export type DisplayPublisher = (bundle: DisplayBundle, metadata?: Record<string, unknown>, options?: PublishOptions) => void;

// Live updates are not printed (a terminal would get ~10 lines a second), except the end of a progress bar.
const printText: DisplayPublisher = (bundle, _metadata, options) => {
  const p = bundle[DISPLAY_MIME];
  const finished = p.kind === 'progress' && p.status !== undefined && p.status !== 'running';
  if (!options?.update || finished) console.log(bundle['text/plain']);
};

// Kept on globalThis (like the bridge's sink) so that every copy of this module — the kernel's own
// and the one a cell reaches through `@alignscope/kernel` — sees the publisher the kernel installed.
const KEY = Symbol.for('alignscope.show.displayPublisher');

function slot(): Record<symbol, DisplayPublisher | undefined> {
  return globalThis as unknown as Record<symbol, DisplayPublisher | undefined>;
}

/** Installs the publisher (the kernel's display bridge); returns the previous one (tests restore it). */
export function setDisplayPublisher(publisher: DisplayPublisher | null): DisplayPublisher {
  const previous = displayPublisher();
  slot()[KEY] = publisher ?? undefined;
  return previous;
}

/** The publisher in use (the text printer when none is installed). */
export function displayPublisher(): DisplayPublisher {
  return slot()[KEY] ?? printText;
}

/** Publishes one bundle through the installed publisher. */
export function publish(bundle: DisplayBundle, options?: PublishOptions): void {
  displayPublisher()(bundle, undefined, options);
}
