/**
 * Makes tslab's own display API work in cells (`import * as tslab from 'tslab'; tslab.display.html(...)`):
 * tslab sends through `lastWriteDisplayData` in its jupyter module; we point it at the display bridge.
 * JSON MIME types, which tslab passes as strings, are parsed into objects.
 */
import { publishDisplay } from './display_bridge';

interface TslabDisplayData {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
}

function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

export function installTslabDisplay(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData: unknown };
  jupyter.lastWriteDisplayData = (display: TslabDisplayData, update: boolean): void => {
    const data: Record<string, unknown> = {};
    for (const [mime, value] of Object.entries(display.data)) {
      if (isJsonMime(mime) && typeof value === 'string') {
        try {
          data[mime] = JSON.parse(value);
          continue;
        } catch {
          // not JSON after all: keep the string
        }
      }
      data[mime] = value;
    }
    const displayId = display.transient?.display_id;
    publishDisplay(data, display.metadata ?? {}, { ...(displayId ? { displayId } : {}), update: Boolean(update && displayId) });
  };
}
