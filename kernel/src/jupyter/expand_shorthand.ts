/**
 * Rewrites shorthand object properties `{ name }` as `{ name: name }` before a cell is converted.
 *
 * Why: tslab 1.0.22's converter turns references to variables of earlier cells into `exports.name`, but
 * misses a shorthand property, so `{ policy }` in a later cell throws "ReferenceError: policy is not
 * defined". The rewrite is an exact equivalent (also on the left of a destructuring assignment), it
 * only inserts text after the name, so lines — and the line numbers of errors — are unchanged.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
import ts = require('@tslab/typescript-for-tslab');

export function expandShorthandProperties(source: string): string {
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const insertions: Array<{ at: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isShorthandPropertyAssignment(node) && node.objectAssignmentInitializer === undefined) {
      insertions.push({ at: node.name.getEnd(), text: `: ${node.name.text}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = source;
  for (const { at, text } of insertions.sort((x, y) => y.at - x.at)) out = out.slice(0, at) + text + out.slice(at);
  return out;
}
