#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time per package (the path under node_modules, or
// 'ours' / 'node' / '(native)') and the top functions by self time. Used by scripts/gpu-check.sh to show
// where the host time of a dispatch-bound workload goes.
//   node scripts/summarise-cpuprofile.cjs FILE.cpuprofile [--top 40]
'use strict';
const fs = require('fs');
const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: summarise-cpuprofile.cjs FILE.cpuprofile [--top N]');
  process.exit(2);
}
const topIndex = rest.indexOf('--top');
const top = topIndex >= 0 ? Number(rest[topIndex + 1]) : 40;
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = new Map(); // node id -> microseconds of samples
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...dt.values()].reduce((a, b) => a + b, 0);
const packageOf = (url) => {
  if (!url) return '(native or idle)';
  if (url.startsWith('node:')) return 'node';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  return m ? m[1] : 'ours';
};
const perPackage = new Map();
const perFunction = new Map();
for (const [id, us] of dt) {
  const { callFrame } = byId.get(id);
  const pkg = packageOf(callFrame.url);
  perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + us);
  const name = `${callFrame.functionName || '(anonymous)'}  [${pkg}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}]`;
  perFunction.set(name, (perFunction.get(name) ?? 0) + us);
}
const fmt = (us) => `${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`profile: ${file}\nsampled time: ${(total / 1000).toFixed(1)} ms\n\nself time per package:`);
for (const [k, us] of [...perPackage].sort((a, b) => b[1] - a[1])) console.log(`${fmt(us)}  ${k}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [k, us] of [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${fmt(us)}  ${k}`);
