/**
 * The VS Code notebook renderer entry for `application/vnd.alignscope.v1+json` (an ES module loaded
 * into the notebook's output webview). Thin wrapper: all drawing is in render.ts.
 */
import { dispose, render } from './render';

/** The parts of VS Code's `OutputItem` (vscode-notebook-renderer) this renderer reads. */
export interface OutputItem {
  readonly id: string;
  readonly mime: string;
  json(): unknown;
  text(): string;
}

export interface RendererApi {
  renderOutputItem(outputItem: OutputItem, element: HTMLElement, signal?: AbortSignal): Promise<void>;
  disposeOutputItem(id?: string): void;
}

export function activate(_context?: unknown): RendererApi {
  const elements = new Map<string, HTMLElement>();
  return {
    async renderOutputItem(outputItem, element) {
      elements.set(outputItem.id, element);
      let value: unknown;
      try {
        value = outputItem.json();
      } catch {
        value = outputItem.text(); // not JSON: render() reports it in the error box
      }
      await render(element, value);
    },
    disposeOutputItem(id) {
      const targets = id === undefined ? [...elements.keys()] : [id];
      for (const key of targets) {
        const element = elements.get(key);
        if (element) dispose(element);
        elements.delete(key);
      }
    },
  };
}

export { render, dispose };
