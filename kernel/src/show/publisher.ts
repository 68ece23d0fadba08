/**
 * Where `show.*` sends its bundles. show/ sits below jupyter/ in the layering, so it does not import
 * the kernel's display bridge; the kernel installs it at start:
 *
 *   import { publishDisplay } from './jupyter/display_bridge';
 *   show.setDisplayPublisher(publishDisplay);
 *
 * Without a kernel (a plain Node script, a test), the default publisher prints the text/plain item
 * of each new display (not of live updates), so `show.*` is still useful headless.
 */
import type { DisplayBundle } from './display_schema';

export interface PublishOptions {
  /** Jupyter display_id: later updates with the same id replace this output. */
  displayId?: string;
  /** true: send update_display_data for `displayId` instead of a new display_data. */
  update?: boolean;
}

/** The signature of kernel/src/jupyter/display_bridge.ts `publishDisplay`. */
export type DisplayPublisher = (bundle: DisplayBundle, metadata?: Record<string, unknown>, options?: PublishOptions) => void;

// Live updates are not printed: a terminal would get ~10 lines a second.
const printText: DisplayPublisher = (bundle, _metadata, options) => {
  if (!options?.update) console.log(bundle['text/plain']);
};

let current: DisplayPublisher = printText;

/** Installs the publisher (the kernel's display bridge); returns the previous one (tests restore it). */
export function setDisplayPublisher(publisher: DisplayPublisher | null): DisplayPublisher {
  const previous = current;
  current = publisher ?? printText;
  return previous;
}

/** The publisher in use. */
export function displayPublisher(): DisplayPublisher {
  return current;
}

/** Publishes one bundle through the installed publisher. */
export function publish(bundle: DisplayBundle, options?: PublishOptions): void {
  current(bundle, undefined, options);
}
