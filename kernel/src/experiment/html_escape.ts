/**
 * Escaping for the HTML report. Every label that reaches the page goes through one of these:
 * `escapeHtml` for text in HTML (and for plotly labels, which plotly parses as pseudo-HTML), and
 * `jsonForScript` for data embedded in a <script> element (no `</script>`, no `<!--`, no U+2028/9).
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
