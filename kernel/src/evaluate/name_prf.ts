/**
 * Object-name extraction scored as multi-label classification: per image, the SET of predicted names
 * vs the SET of true names (duplicates collapse; names compared exactly — normalise case/plurals
 * before calling).
 *
 * Per image i: TP_i = |pred_i ∩ true_i|, FP_i = |pred_i \ true_i|, FN_i = |true_i \ pred_i|.
 *
 *   micro:  P = ΣTP / (ΣTP + ΣFP),  R = ΣTP / (ΣTP + ΣFN),  F1 = 2PR / (P + R)
 *   macro:  per name c (over the union of true and predicted names), P_c, R_c, F1_c from that name's
 *           counts; P, R, F1 = unweighted means over names (sklearn's average='macro')
 *
 * 0/0 follows sklearn's zero_division=0: a name never predicted has P_c = 0, never true has R_c = 0,
 * F1 = 0 when P + R = 0. With no names at all (every set empty) all values are NaN (undefined).
 *
 * @example
 *   namePRF([{ predicted: ['circle', 'square'], truth: ['circle'] }]).micro;  // { precision: 0.5, recall: 1, f1: 2/3 }
 */
export interface NameRow {
  predicted: readonly string[];
  truth: readonly string[];
}

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}

export interface NamePRFResult {
  micro: PRF & { tp: number; fp: number; fn: number };
  macro: PRF;
  perName: Record<string, PRF & { tp: number; fp: number; fn: number; support: number }>;
  perImage: { tp: number; fp: number; fn: number; exact: boolean }[];
  /** Share of images whose predicted set equals the true set. */
  exactMatch: number;
  nImages: number;
}

const div = (a: number, b: number): number => (b > 0 ? a / b : 0);
const prf = (tp: number, fp: number, fn: number): PRF => {
  const precision = div(tp, tp + fp);
  const recall = div(tp, tp + fn);
  return { precision, recall, f1: div(2 * precision * recall, precision + recall) };
};

export function namePRF(rows: readonly NameRow[]): NamePRFResult {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (name: string, key: 'tp' | 'fp' | 'fn') => {
    const c = counts.get(name) ?? { tp: 0, fp: 0, fn: 0 };
    c[key] += 1;
    counts.set(name, c);
  };
  let TP = 0;
  let FP = 0;
  let FN = 0;
  const perImage = rows.map((r) => {
    const pred = new Set(r.predicted);
    const truth = new Set(r.truth);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const p of pred) truth.has(p) ? (tp++, bump(p, 'tp')) : (fp++, bump(p, 'fp'));
    for (const t of truth) if (!pred.has(t)) (fn++, bump(t, 'fn'));
    TP += tp;
    FP += fp;
    FN += fn;
    return { tp, fp, fn, exact: fp === 0 && fn === 0 };
  });
  const perName: NamePRFResult['perName'] = {};
  for (const [name, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    perName[name] = { ...prf(c.tp, c.fp, c.fn), ...c, support: c.tp + c.fn };
  }
  const names = Object.values(perName);
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const none = TP + FP + FN === 0;
  const micro = none ? { precision: NaN, recall: NaN, f1: NaN } : prf(TP, FP, FN);
  return {
    micro: { ...micro, tp: TP, fp: FP, fn: FN },
    macro: { precision: mean(names.map((n) => n.precision)), recall: mean(names.map((n) => n.recall)), f1: mean(names.map((n) => n.f1)) },
    perName,
    perImage,
    exactMatch: rows.length ? perImage.filter((p) => p.exact).length / rows.length : NaN,
    nImages: rows.length,
  };
}
