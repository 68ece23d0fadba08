import type { KernelLayout } from './kernel_layout';
import { problemMain, workgroupReduce } from '../../backend/webgpu_program';

/**
 * WGSL scaffolding shared by the kernel-domain (u, v) and log-domain (F, G) programs, which lay out a
 * problem alike (kernel_layout.ts): one workgroup per problem, the state [n + m] of problem p in two
 * workgroup arrays (`rows` [n], `columns` [m]), each invocation t taking rows i = t, t + WG, ... and
 * columns j likewise. The snippets expect `p`, `t`, `live` as `problemMain` defines them.
 */

/** WGSL: this invocation's share of a loop over the rows i (`row`), then of one over the columns j (`column`). */
export function eachRowThenColumn({ n, m, workgroup: WG }: KernelLayout, row: string, column: string): string {
  return `for (var i = t; i < ${n}; i += ${WG}) { ${row} }
      for (var j = t; j < ${m}; j += ${WG}) { ${column} }`;
}

/** WGSL: problem p's slice of the `state` input [B, n + m] into the workgroup arrays `rows`, `columns`. */
export function copyStateIn(layout: KernelLayout, rows: string, columns: string): string {
  const { n, m } = layout;
  return eachRowThenColumn(layout, `${rows}[i] = state[p * ${n + m} + i];`, `${columns}[j] = state[p * ${n + m} + ${n} + j];`);
}

/** WGSL: the workgroup arrays `rows`, `columns` into problem p's slice of the output [B, n + m]. */
export function copyStateOut(layout: KernelLayout, rows: string, columns: string): string {
  const { n, m } = layout;
  return eachRowThenColumn(layout, `result[p * ${n + m} + i] = ${rows}[i];`, `result[p * ${n + m} + ${n} + j] = ${columns}[j];`);
}

/**
 * WGSL `main` of the iteration programs: the state from `start` (uniforms.fromStart != 0: the initial
 * iterate, `startRow` at i and `startColumn` at j) or from the `state` input, then `setup` (more loads,
 * ending in a barrier, in uniform control flow), then uniforms.iterations times the row update (`rowUpdate`
 * for each row i) and `columnUpdate`, each followed by a barrier, and the state to the output.
 */
export function iterationMain(
  layout: KernelLayout,
  state: { rows: string; columns: string; startRow: string; startColumn: string },
  setup: string,
  rowUpdate: string,
  columnUpdate: string,
): string {
  const { n, workgroup: WG } = layout;
  return problemMain(`
    let start = uniforms.fromStart != 0;
    if (live) {
      if (start) {
        ${eachRowThenColumn(layout, `${state.rows}[i] = ${state.startRow};`, `${state.columns}[j] = ${state.startColumn};`)}
      } else {
        ${copyStateIn(layout, state.rows, state.columns)}
      }
    }
    ${setup}
    for (var it = 0; it < uniforms.iterations; it++) {
      if (live) {
        for (var i = t; i < ${n}; i += ${WG}) {${rowUpdate}
        }
      }
      workgroupBarrier();
      ${columnUpdate}
    }
    if (live) {
      ${copyStateOut(layout, state.rows, state.columns)}
    }`);
}

/**
 * WGSL: the column half-iteration. When m <= WG, R = layout.rowGroups groups of m invocations: invocation
 * t runs `partial(first, step)` for column j = t % m over the rows i = t / m, t / m + R, ... and `keep`
 * stores its result in slot t of the partial arrays (R m); after a barrier, invocation t < m runs `merge`
 * over the R partials of column t and `finish('t')`. Otherwise one invocation per column: `partial` over
 * all rows, then `finish('j')`. A barrier follows.
 */
export function columnUpdate(
  layout: KernelLayout,
  partial: (first: string, step: string) => string,
  keep: string,
  merge: string,
  finish: (j: string) => string,
): string {
  const { m, workgroup: WG, rowGroups: R } = layout;
  if (m > WG) {
    return `
      if (live) {
        for (var j = t; j < ${m}; j += ${WG}) {${partial('0', '1')}
          ${finish('j')}
        }
      }
      workgroupBarrier();`;
  }
  return `
      if (live && t < ${R * m}) {
        let j = t % ${m};${partial(`t / ${m}`, `${R}`)}
        ${keep}
      }
      workgroupBarrier();
      if (live && t < ${m}) {${merge}
        ${finish('t')}
      }
      workgroupBarrier();`;
}

/**
 * WGSL of a read-out that reduces each problem to one number: `prelude` (which defines
 * `loadState(p, t, live)`), then `main`: the state loaded, `accumulate` adding this invocation's terms
 * into `acc` (of `type`) where live, their sum over the workgroup as `sums`, and `finish` (an expression
 * of `sums`) written to result[p].
 */
export function problemReduction(layout: KernelLayout, prelude: string, type: 'f32' | 'vec4<f32>', accumulate: string, finish: string): string {
  return `
  ${prelude}
  ${workgroupReduce('total', 'add', type, layout.workgroup)}${problemMain(`
    loadState(p, t, live);
    var acc = ${type}(0.0);
    if (live) {${accumulate}
    }
    let sums = total(t, acc);
    if (live && t == 0) { result[p] = ${finish}; }`)}`;
}
