/**
 * nbformat 4 notebooks: reading with clear errors, normalising to 4.5 (every cell has an id), writing.
 *
 * Source: https://nbformat.readthedocs.io/en/latest/format_description.html
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: 'display_data';
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: 'code';
  id: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  execution_count: number | null;
  outputs: Output[];
}
export interface OtherCell {
  cell_type: 'markdown' | 'raw';
  id: string;
  source: MultilineString;
  metadata: Record<string, unknown>;
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | OtherCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** A notebook file that cannot be run: names the file and what is wrong. */
export class NotebookFormatError extends Error {
  override name = 'NotebookFormatError';
}

export function sourceText(source: MultilineString): string {
  return Array.isArray(source) ? source.join('') : source;
}

const ID_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

function newCellId(taken: Set<string>): string {
  for (;;) {
    const id = randomBytes(4).toString('hex');
    if (!taken.has(id)) return id;
  }
}

/** Checks structure and normalises to nbformat 4.5: cell ids present and unique, required fields set. */
export function parseNotebook(text: string, file = 'notebook'): Notebook {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new NotebookFormatError(`${file}: expected a JSON object (an .ipynb notebook)`);
  const nb = raw as Record<string, unknown>;
  if (nb.nbformat !== 4) throw new NotebookFormatError(`${file}: only nbformat 4 notebooks are supported; nbformat is ${JSON.stringify(nb.nbformat)}`);
  if (!Array.isArray(nb.cells)) throw new NotebookFormatError(`${file}: 'cells' must be an array`);
  const taken = new Set<string>();
  const cells: Cell[] = nb.cells.map((c: unknown, i: number) => {
    if (c === null || typeof c !== 'object') throw new NotebookFormatError(`${file}: cell ${i + 1} is not an object`);
    const cell = c as Record<string, unknown>;
    const type = cell.cell_type;
    if (type !== 'code' && type !== 'markdown' && type !== 'raw') {
      throw new NotebookFormatError(`${file}: cell ${i + 1} has cell_type ${JSON.stringify(type)}; expected code, markdown or raw`);
    }
    const source = cell.source ?? '';
    if (typeof source !== 'string' && !(Array.isArray(source) && source.every((s) => typeof s === 'string'))) {
      throw new NotebookFormatError(`${file}: cell ${i + 1} source must be a string or a list of strings`);
    }
    let id = typeof cell.id === 'string' && ID_PATTERN.test(cell.id) && !taken.has(cell.id) ? cell.id : newCellId(taken);
    taken.add(id);
    const metadata = cell.metadata && typeof cell.metadata === 'object' ? (cell.metadata as Record<string, unknown>) : {};
    if (type === 'code') {
      return { cell_type: 'code', id, source, metadata, execution_count: null, outputs: [] };
    }
    return { ...(cell as object), cell_type: type, id, source, metadata } as OtherCell;
  });
  const metadata = nb.metadata && typeof nb.metadata === 'object' ? (nb.metadata as Record<string, unknown>) : {};
  return { nbformat: 4, nbformat_minor: Math.max(5, Number(nb.nbformat_minor) || 0), metadata, cells };
}

export async function readNotebook(file: string): Promise<Notebook> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new NotebookFormatError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseNotebook(text, file);
}

export function serializeNotebook(nb: Notebook): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}
