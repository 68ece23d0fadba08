// Stages the installable extension in a directory for `vsce package --no-dependencies`:
//
//   package.json                     the root manifest (its main/activationEvents/capabilities/contributes),
//                                    without scripts and deps
//   README.md, LICENSE               extension/README.md; the root LICENSE when there is one
//   extension/dist/extension.js      the extension host bundle
//   extension/templates/*.ipynb      the New Alignment Experiment template
//   extension/node_modules/…         the kernel's runtime: @alignscope/kernel (dist + package.json) and the
//                                    closure of its dependencies (from package.json files), plus
//                                    plotly.js-dist-min for the HTML report
//   media/dist/renderer.js           the notebook renderer
//   notebooks/*.ipynb                the examples
//
// The runtime sits under extension/node_modules because `vsce --no-dependencies` drops the top-level
// node_modules; from extension/dist, Node's resolution finds it for the extension (zeromq, plotly) and
// the kernel finds its own dependencies beside it.
//
// Usage: node extension/package/stage.mjs STAGE_DIR     (prints a JSON summary on the last line)
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!process.argv[2]) throw new Error('usage: node extension/package/stage.mjs STAGE_DIR');
const stage = path.resolve(process.argv[2]);

/** Optional dependencies left out: native/GPU packages that need libtensorflow or Dawn, and build-only ones. */
const SKIP = new Set([
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-backend-webgpu',
  'webgpu',
  'sharp',
  'node-addon-api', // C++ headers for building zeromq; not loaded at run time
  'core-js', // polyfills for @tensorflow/tfjs's browser bundles; its Node build (dist/tf.node.js) never loads it
]);

/** Files never needed at run time. */
function dropFile(rel, pkgName) {
  const base = path.basename(rel);
  if (base.endsWith('.map') || base.endsWith('.tsbuildinfo')) return true;
  if (/\.(md|markdown)$/i.test(base) && !/^licen[cs]e/i.test(base)) return true;
  if (/_test\.(js|d\.ts)$/.test(base) || /\.test\.(js|d\.ts)$/.test(base)) return true;
  if (pkgName.startsWith('@tensorflow/')) {
    // Browser/ESM bundles of the dist root; Node loads dist/*.node.js (main) and the .d.ts tree types cells.
    if (/^dist\/[^/]+\.(es2017|fesm)(\.min)?\.js$/.test(rel) || /^dist\/[^/]+\.min\.js$/.test(rel)) return true;
    if (/^dist\/tf(-[a-z-]+)?\.js$/.test(rel)) return true;
  }
  if (pkgName === 'zeromq') {
    if (/^build\/(darwin|win32)\//.test(rel) || /^(src|script|vcpkg\.json|CMakeLists\.txt)/.test(rel)) return true;
  }
  return false;
}

function copyPackage(from, to, pkgName, skipDirs = ['node_modules']) {
  let bytes = 0;
  let files = 0;
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      const rel = path.relative(from, abs).split(path.sep).join('/');
      if (e.isDirectory()) {
        if (skipDirs.includes(e.name) && dir === from) continue;
        if (e.name === '.git') continue;
        walk(abs);
      } else if (e.isFile() || e.isSymbolicLink()) {
        if (dropFile(rel, pkgName)) continue;
        const target = path.join(to, rel);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(fs.realpathSync(abs), target);
        bytes += fs.statSync(target).size;
        files += 1;
      }
    }
  };
  walk(from);
  return { bytes, files };
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Node's lookup of `name` from `fromDir`: the nearest node_modules/<name> upwards. */
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name, 'package.json');
    if (fs.existsSync(candidate)) return path.dirname(candidate);
    if (dir === path.dirname(dir)) return undefined;
  }
}

/** The runtime closure of the kernel package: [{ name, dir (as installed), rel (path below node_modules) }]. */
function kernelClosure() {
  const kernelDir = path.join(ROOT, 'kernel');
  const found = new Map();
  const missing = [];
  const visit = (pkgDir) => {
    const pkg = readJson(path.join(pkgDir, 'package.json'));
    const required = Object.keys(pkg.dependencies ?? {});
    const optional = Object.keys(pkg.optionalDependencies ?? {});
    for (const name of [...required, ...optional]) {
      if (SKIP.has(name)) continue;
      const dir = resolvePackage(name, fs.realpathSync(pkgDir));
      if (!dir) {
        if (!optional.includes(name)) missing.push(`${name} (for ${pkg.name})`);
        continue;
      }
      const rel = path.relative(path.join(ROOT, 'node_modules'), dir);
      if (rel.startsWith('..')) throw new Error(`stage: ${name} resolved outside the root node_modules: ${dir}`);
      if (found.has(rel)) continue;
      found.set(rel, { name, dir, rel });
      visit(dir);
    }
  };
  visit(kernelDir);
  if (missing.length > 0) throw new Error(`stage: dependencies not installed: ${missing.join(', ')} (run npm install)`);
  return [...found.values()];
}

function manifest() {
  const root = readJson(path.join(ROOT, 'package.json'));
  const keep = ['name', 'displayName', 'description', 'version', 'publisher', 'license', 'categories', 'keywords', 'icon', 'repository', 'homepage', 'bugs'];
  const out = {};
  for (const k of keep) if (root[k] !== undefined) out[k] = root[k];
  out.engines = { vscode: root.engines?.vscode ?? '^1.90.0' };
  // The root package.json is the VS Code manifest.
  for (const k of ['main', 'activationEvents', 'capabilities', 'contributes']) {
    if (root[k] === undefined) throw new Error(`stage: the root package.json has no '${k}' (it is the extension manifest)`);
    out[k] = root[k];
  }
  return out;
}

function requireBuilt(rel) {
  const file = path.join(ROOT, rel);
  if (!fs.existsSync(file)) throw new Error(`stage: ${rel} is missing; build first (npm run build && node extension/build.mjs)`);
  return file;
}

function copyInto(rel, targetRel = rel) {
  const target = path.join(stage, targetRel);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(path.join(ROOT, rel), target);
}

const started = Date.now();
requireBuilt('extension/dist/extension.js');
requireBuilt('media/dist/renderer.js');
requireBuilt('kernel/dist/cli/main.js');
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });

fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest(), null, 2)}\n`);
// Everything staged is meant to ship; the ignore file only keeps stray maps/sources out.
fs.writeFileSync(path.join(stage, '.vscodeignore'), ['**/*.map', '**/*.tsbuildinfo', '.vscodeignore', ''].join('\n'));
copyInto('extension/README.md', 'README.md');
const hasLicense = fs.existsSync(path.join(ROOT, 'LICENSE'));
if (hasLicense) copyInto('LICENSE');
copyInto('extension/dist/extension.js');
for (const f of fs.readdirSync(path.join(ROOT, 'extension', 'templates'))) copyInto(`extension/templates/${f}`);
for (const f of fs.readdirSync(path.join(ROOT, 'media', 'dist'))) if (!f.endsWith('.map')) copyInto(`media/dist/${f}`);
if (fs.existsSync(path.join(ROOT, 'notebooks'))) {
  for (const f of fs.readdirSync(path.join(ROOT, 'notebooks'))) if (f.endsWith('.ipynb')) copyInto(`notebooks/${f}`);
}

const modules = path.join(stage, 'extension', 'node_modules');
const sizes = [];
const kernelCopy = copyPackage(path.join(ROOT, 'kernel'), path.join(modules, '@alignscope', 'kernel'), '@alignscope/kernel', ['node_modules', 'src']);
sizes.push({ name: '@alignscope/kernel', ...kernelCopy });
for (const { name, dir, rel } of kernelClosure()) {
  sizes.push({ name: rel, ...copyPackage(dir, path.join(modules, rel), name) });
}
const plotly = resolvePackage('plotly.js-dist-min', ROOT);
if (plotly) {
  const to = path.join(modules, 'plotly.js-dist-min');
  fs.mkdirSync(to, { recursive: true });
  for (const f of ['package.json', 'plotly.min.js', 'LICENSE']) if (fs.existsSync(path.join(plotly, f))) fs.copyFileSync(path.join(plotly, f), path.join(to, f));
}

// Smoke check: the staged runtime loads on its own (no fallback to the checkout's node_modules).
const smoke = spawnSync(
  process.execPath,
  ['-e', "const paths=[process.argv[1]]; for (const m of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', 'tslab', 'zeromq', 'jpeg-js']) require(require.resolve(m, { paths }));", modules],
  { cwd: stage, env: { ...process.env, NODE_PATH: '' }, encoding: 'utf8', timeout: 120_000 },
);
if (smoke.status !== 0) throw new Error(`stage: the staged runtime does not load:\n${smoke.stderr}`);

const total = sizes.reduce((s, x) => s + x.bytes, 0);
const top = [...sizes].sort((a, b) => b.bytes - a.bytes).slice(0, 8).map((s) => `${s.name} ${(s.bytes / 1e6).toFixed(1)} MB`);
console.log(`[stage] ${stage}: ${sizes.length} runtime packages, ${(total / 1e6).toFixed(1)} MB (largest: ${top.join(', ')}) in ${Date.now() - started} ms`);
console.log(JSON.stringify({ stage, hasLicense, packages: sizes.length, runtimeBytes: total }));
