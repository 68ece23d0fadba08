/** The renderer's CSS, injected once per webview document. Colours follow the VS Code theme. */
const CSS = `
.alignscope { font-family: var(--vscode-font-family, system-ui, sans-serif); color: var(--vscode-editor-foreground, #333); }
.alignscope-title { font-weight: 600; margin: 4px 0; }
.alignscope-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-start; }
.alignscope-heatmap { flex: 3 1 360px; min-width: 0; }
.alignscope-overlay { flex: 2 1 240px; min-width: 0; max-width: 420px; }
.alignscope-plot { min-height: 120px; }
.alignscope-tokens { display: flex; flex-wrap: wrap; gap: 4px; margin: 4px 0; }
.alignscope-token { font: inherit; font-size: 12px; padding: 1px 8px; border-radius: 10px; cursor: pointer;
  border: 1px solid var(--vscode-button-border, rgba(128,128,128,0.5)); background: transparent; color: inherit; }
.alignscope-token[aria-pressed="true"] { background: var(--vscode-button-background, #0e639c); color: var(--vscode-button-foreground, #fff); }
.alignscope-legend { list-style: none; padding: 0; margin: 4px 0; font-size: 12px; }
.alignscope-legend li { display: flex; align-items: center; gap: 6px; }
.alignscope-swatch { display: inline-block; width: 14px; height: 10px; border: 2px solid; }
.alignscope-table { border-collapse: collapse; font-size: 13px; margin: 4px 0; }
.alignscope-table caption { text-align: left; font-weight: 600; padding: 2px 0 4px; }
.alignscope-table th, .alignscope-table td { padding: 2px 10px; border-bottom: 1px solid rgba(128,128,128,0.3); text-align: left; }
.alignscope-table td.alignscope-num { text-align: right; font-variant-numeric: tabular-nums; }
.alignscope-bar { max-width: 640px; margin: 4px 0; font-size: 12px; }
.alignscope-track { height: 8px; border-radius: 4px; background: rgba(128,128,128,0.25); overflow: hidden; margin-top: 3px; }
.alignscope-fill { height: 100%; background: var(--vscode-progressBar-background, #0e70c0); transition: width 80ms linear; }
.alignscope-bar[data-status="done"] .alignscope-fill { background: #2ea043; }
.alignscope-bar[data-status="interrupted"] .alignscope-fill { background: #d29922; }
.alignscope-bar[data-status="error"] .alignscope-fill { background: #f85149; }
.alignscope-error { border: 1px solid var(--vscode-inputValidation-errorBorder, #be1100); border-left-width: 4px;
  background: var(--vscode-inputValidation-errorBackground, rgba(190,17,0,0.08)); padding: 6px 10px; margin: 4px 0; font-size: 13px; }
.alignscope-error pre { white-space: pre-wrap; margin: 4px 0 0; font-family: var(--vscode-editor-font-family, monospace); }
`;

export function ensureStyles(doc: Document = document): void {
  if (doc.getElementById('alignscope-renderer-styles')) return;
  const style = doc.createElement('style');
  style.id = 'alignscope-renderer-styles';
  style.textContent = CSS;
  doc.head.append(style);
}
