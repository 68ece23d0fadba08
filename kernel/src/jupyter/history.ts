/**
 * history_request over this kernel's own executions (kept in memory; nothing persists across restarts).
 * Entries are [session, line, input] or, with `output`, [session, line, [input, output]], where session
 * is always 1 (this kernel's run) and line is the execution_count.
 * Patterns are IPython's globs (`*`, `?`).
 *
 * Source: https://jupyter-client.readthedocs.io/en/stable/messaging.html#history
 */

export const HISTORY_SESSION = 1;

interface Entry {
  line: number;
  input: string;
  output: string | null;
}

export interface HistoryRequest {
  output?: boolean;
  hist_access_type?: 'range' | 'tail' | 'search';
  session?: number;
  start?: number;
  stop?: number;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

type HistoryItem = [number, number, string | [string, string | null]];

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${body}$`);
}

export class History {
  private readonly entries: Entry[] = [];

  record(line: number, input: string): void {
    this.entries.push({ line, input, output: null });
  }

  /** The text/plain of the cell's execute_result, for `output: true`. */
  recordOutput(line: number, output: string): void {
    const entry = this.entries.find((e) => e.line === line);
    if (entry) entry.output = output;
  }

  query(req: HistoryRequest): HistoryItem[] {
    let selected: Entry[];
    const n = typeof req.n === 'number' && req.n > 0 ? req.n : undefined;
    switch (req.hist_access_type) {
      case 'range': {
        const session = req.session ?? 0;
        if (session !== 0 && session !== HISTORY_SESSION) return [];
        const start = req.start ?? 1;
        const stop = req.stop ?? Number.POSITIVE_INFINITY;
        selected = this.entries.filter((e) => e.line >= start && e.line < stop);
        break;
      }
      case 'search': {
        const re = globToRegExp(req.pattern ?? '*');
        selected = this.entries.filter((e) => re.test(e.input));
        if (req.unique) {
          const seen = new Set<string>();
          selected = selected.reverse().filter((e) => (seen.has(e.input) ? false : (seen.add(e.input), true))).reverse();
        }
        if (n) selected = selected.slice(-n);
        break;
      }
      default:
        selected = this.entries.slice(-(n ?? 10));
    }
    return selected.map((e): HistoryItem => [HISTORY_SESSION, e.line, req.output ? [e.input, e.output] : e.input]);
  }
}
