import { recAccuracy, type RecOptions, type RecRow } from './rec_accuracy';

/**
 * REC Acc@τ per group of expressions (recAccuracy's criterion within each group), so a report can say
 * *which* expressions a model fails on — e.g. for the grounded scenes, expressions that name only a shape,
 * a shape and one attribute, an extremal, a relation to a landmark (task_templates.ts `recGroup`).
 * Groups are listed in sorted order; rows without a group are left out.
 *
 * @example
 *   recAccuracyByGroup([{ group: 'relational', predicted: [0, 0, 10, 10], truth: [0, 0, 10, 10] }]);
 *   // { relational: { n: 1, correct: 1, accuracy: 1 } }
 */
export interface GroupedRecRow extends RecRow {
  group?: string;
}

export type RecByGroup = Record<string, { n: number; correct: number; accuracy: number }>;

export function recAccuracyByGroup(rows: readonly GroupedRecRow[], options: RecOptions = {}): RecByGroup {
  const groups = new Map<string, RecRow[]>();
  for (const r of rows) {
    if (r.group === undefined) continue;
    const members = groups.get(r.group);
    if (members) members.push(r);
    else groups.set(r.group, [r]);
  }
  const out: RecByGroup = {};
  for (const g of [...groups.keys()].sort()) {
    const { n, correct, accuracy } = recAccuracy(groups.get(g)!, options);
    out[g] = { n, correct, accuracy };
  }
  return out;
}
