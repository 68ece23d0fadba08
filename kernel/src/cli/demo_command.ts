import * as tf from '@tensorflow/tfjs-core';
import { formatBackendReport, initBackend } from '../backend';
import { sinkhorn } from '../ot';

/**
 * `alignscope demo sinkhorn [--batch B] [--rows n] [--cols m]`: solves B random OT problems (cosine costs
 * between random patch and token features) for several eps, both solver forms, and prints a table of
 * time, iterations, marginal error and transport cost. A smoke test of the install and the backend.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what !== 'sinkhorn') {
    process.stderr.write(`alignscope demo: expected 'sinkhorn'; got '${what ?? ''}'.\n`);
    return 2;
  }
  const flag = (name: string, fallback: number) => {
    const i = rest.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const value = Number(rest[i + 1]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a positive integer; got '${rest[i + 1]}'.`);
    return value;
  };
  const B = flag('batch', 256);
  const n = flag('rows', 49);
  const m = flag('cols', 16);
  const report = await initBackend({ log: null });
  process.stdout.write(`${formatBackendReport(report)}\n\n`);
  process.stdout.write(`Sinkhorn on ${B} problems of ${n} patches x ${m} tokens, cost = 1 - cos (random features in R^64)\n\n`);

  const C = tf.tidy(() => {
    const unit = (t: tf.Tensor) => t.div(t.norm('euclidean', -1, true));
    const x = unit(tf.randomNormal([B, n, 64], 0, 1, 'float32', 1));
    const y = unit(tf.randomNormal([B, m, 64], 0, 1, 'float32', 2));
    return tf.sub(1, tf.matMul(x, y.transpose([0, 2, 1]))).maximum(0);
  });
  const header = ['eps', 'method', 'unbalanced', 'ms', 'iterations', 'marginal err', 'converged', 'mean OT value', 'plan entropy'];
  const rows: string[][] = [];
  for (const eps of [0.5, 0.1, 0.05, 0.01]) {
    for (const method of ['kernel', 'log'] as const) {
      for (const unbalanced of [undefined, { tau: 0.5 }]) {
        const start = performance.now();
        const r = sinkhorn(C, { eps, method, unbalanced, tol: 1e-5, maxIter: 2000 });
        const value = tf.tidy(() => r.cost.mean().dataSync()[0]!);
        const ms = performance.now() - start;
        const entropy = tf.tidy(() => {
          const p = r.plan.div(r.plan.sum([1, 2], true)).maximum(1e-30);
          return p.mul(p.log()).sum([1, 2]).neg().mean().dataSync()[0]!;
        });
        rows.push([
          String(eps), r.method, unbalanced ? `tau=${unbalanced.tau}` : '-', ms.toFixed(1), String(r.iterations),
          r.marginalError.toExponential(2), String(r.converged), value.toFixed(5), entropy.toFixed(3),
        ]);
        tf.dispose([r.plan, r.f, r.g, r.cost]);
      }
    }
  }
  C.dispose();
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(`\n(a forced 'kernel' at small eps that overflows is re-solved in the log domain: see the method column)\n`);
  return 0;
}
