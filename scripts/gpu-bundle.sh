#!/usr/bin/env bash
# Prepares .device-bundle/ (git-ignored): everything scripts/gpu-check.sh needs on a bare GPU machine that
# has neither node_modules, nor node, nor the Vulkan loader, and no network.
#
#   .device-bundle/debs/*.deb          libvulkan1 + GL/EGL glue (libglvnd) for the NVIDIA Vulkan ICD; unpacked
#                                      with `dpkg -x` there only when `ldconfig -p` has no libvulkan.so.1
#   .device-bundle/node-<ver>.xz       this machine's node binary (used there only when no node >= 20.19 exists)
#   .device-bundle/payload.tar.xz      bench.cjs + adapter.cjs + cli.cjs (esbuild bundles of bench/run.ts, a
#                                      backend probe and the alignscope CLI, our code inlined) and a pruned
#                                      node_modules: the TF.js packages' Node builds, the wasm binaries, webgpu's
#                                      linux-x64 dawn.node only (cli.cjs trains there: GPU_CHECK_TRAIN in gpu-check.sh)
#
#   .device-bundle/baseline-wasm.jsonl (--with-baseline) the wasm bench measured on THIS machine, so the GPU
#                                      check also reports the speed-up against the CPU build machine
#
# Usage: bash scripts/gpu-bundle.sh            full bundle (prints its size; fails above 60 MiB)
#        bash scripts/gpu-bundle.sh --with-baseline   the same, plus the wasm bench here (minutes)
#        GPU_BUNDLE_EXTRA_PACKAGES="a b" bash scripts/gpu-bundle.sh   also carry packages only a command loads
#        bash scripts/gpu-bundle.sh --js-only  only the unpacked JS in /tmp/alignscope-gpu-stage (what gpu-check
#                                              uses on a machine that has node_modules but no bundle)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUNDLE=$ROOT/.device-bundle
# staged JS outside the repo (it must not travel unpacked, and nothing of the repo is in reach from it)
STAGE=${TMPDIR:-/tmp}/alignscope-gpu-stage
LIMIT=$((60 * 1024 * 1024))
JS_ONLY=false
BASELINE=false
[ "${1:-}" = "--js-only" ] && JS_ONLY=true
[ "${1:-}" = "--with-baseline" ] && BASELINE=true

log() { echo "[gpu-bundle] $*" >&2; }

grep -qxF '/.device-bundle/' .gitignore 2>/dev/null || grep -qxF '/.device-bundle/' .git/info/exclude 2>/dev/null ||
  echo '/.device-bundle/' >>.git/info/exclude

# ---- JavaScript: bench + backend probe, bundled: our code inlined; every npm package stays external (native
# files, wasm paths, optional packages loaded lazily), and only those loaded at run time travel (below)
rm -rf "$STAGE"
mkdir -p "$STAGE"
BENCH_ENTRY=""
for f in bench/run.ts bench/run.js; do [ -f "$f" ] && BENCH_ENTRY=$f && break; done
[ -n "$BENCH_ENTRY" ] || { log "ERROR: bench/run.ts not found"; exit 1; }
# require.main: in one bundle every module would think it is the main one (bench/workloads/*.ts have
# `if (require.main === module)` blocks for standalone runs), so it is defined away.
ESBUILD=(npx --no-install esbuild --bundle --platform=node --format=cjs --target=node20 --log-level=error
  --packages=external --define:require.main=null)
log "bundling $BENCH_ENTRY"
"${ESBUILD[@]}" "$BENCH_ENTRY" --outfile="$STAGE/bench.cjs"
log "bundling the backend probe"
cat >"$STAGE/adapter-entry.ts" <<'EOF'
// Prints the backend report of initBackend() (ALIGNSCOPE_BACKEND decides) as one JSON line; exit 1 on failure.
import { initBackend } from 'ALIGNSCOPE_ROOT/kernel/src/backend';
initBackend({ log: null }).then(
  (report) => console.log(JSON.stringify({ kind: 'backend', ok: true, ...report })),
  (error: Error) => {
    console.log(JSON.stringify({ kind: 'backend', ok: false, backend: process.env.ALIGNSCOPE_BACKEND ?? 'auto', error: error.message }));
    process.exit(1);
  },
);
EOF
sed -i "s|ALIGNSCOPE_ROOT|$ROOT|" "$STAGE/adapter-entry.ts"
"${ESBUILD[@]}" "$STAGE/adapter-entry.ts" --outfile="$STAGE/adapter.cjs"
rm "$STAGE/adapter-entry.ts"
log "bundling the CLI (alignscope grounded-lm and the rest)"
"${ESBUILD[@]}" kernel/src/cli/run_main.ts --outfile="$STAGE/cli.cjs"

# ---- which packages the bundles load at start-up (resolved from the repo's node_modules through NODE_PATH):
# bench.cjs given an unknown workload loads every module, then stops
cat >"$STAGE/record.cjs" <<'EOF'
const Module = require('module');
const seen = new Set();
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const file = resolve.call(this, request, ...rest);
  const parts = file.split('/node_modules/');
  if (parts.length > 1) {
    const tail = parts[parts.length - 1].split('/');
    seen.add(tail[0].startsWith('@') ? `${tail[0]}/${tail[1]}` : tail[0]);
  }
  return file;
};
process.on('exit', () => require('fs').appendFileSync(process.env.RECORD_FILE, [...seen].join('\n') + '\n'));
EOF
: >"$STAGE/loaded.txt"
(cd "$STAGE" && NODE_PATH=$ROOT/node_modules RECORD_FILE=loaded.txt ALIGNSCOPE_BACKEND=wasm node -r ./record.cjs adapter.cjs >/dev/null 2>&1) || true
(cd "$STAGE" && NODE_PATH=$ROOT/node_modules RECORD_FILE=loaded.txt node -r ./record.cjs bench.cjs --workloads __load_modules_only__ >/dev/null 2>&1) || true
(cd "$STAGE" && NODE_PATH=$ROOT/node_modules RECORD_FILE=loaded.txt node -r ./record.cjs cli.cjs --help >/dev/null 2>&1) || true
[ -s "$STAGE/loaded.txt" ] || { log "ERROR: could not list the packages bench.cjs loads"; exit 1; }
rm "$STAGE/record.cjs"

# ---- node_modules: the closure of what bench.cjs requires at run time, pruned to what Node loads
log "pruning node_modules"
node - "$ROOT" "$STAGE" <<'EOF'
const fs = require('fs');
const path = require('path');
const [root, stage] = process.argv.slice(2);
const src = path.join(root, 'node_modules');
const dst = path.join(stage, 'node_modules');
// Roots: the packages loaded at start-up, plus those the backend loaders load lazily; their dependencies
// follow. Type packages and tfjs's CLI helpers are never loaded.
const loadedFile = path.join(stage, 'loaded.txt');
const loaded = fs.readFileSync(loadedFile, 'utf8').split('\n').filter(Boolean);
fs.unlinkSync(loadedFile);
// jpeg-js: the image decoder of the CLI's --data (JPEG files), loaded lazily
const lazy = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'webgpu', 'jpeg-js'];
const extra = (process.env.GPU_BUNDLE_EXTRA_PACKAGES ?? '').split(/[ ,]+/).filter(Boolean); // packages only a command loads
const roots = [...new Set([...loaded, ...lazy, ...extra])];
const skip = (name) => name.startsWith('@types/') || name === '@webgpu/types' || ['argparse', 'chalk', 'core-js', 'regenerator-runtime', 'yargs', 'debug', 'encoding'].includes(name);
const seen = new Set();
const queue = [...roots];
while (queue.length) {
  const name = queue.shift();
  if (seen.has(name) || skip(name)) continue;
  const dir = path.join(src, name);
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    if (name.startsWith('@tensorflow/tfjs-node') || name === 'webgpu' || name === '@tensorflow/tfjs-backend-webgpu') continue; // optional
    throw new Error(`missing node_modules/${name}`);
  }
  seen.add(name);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  queue.push(...Object.keys(pkg.dependencies ?? {}));
}
function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}
function copyTree(from, to, keep) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const f = path.join(from, entry.name);
    if (entry.isDirectory()) {
      if (['test', 'tests', 'docs', 'example', 'examples', '.github', 'node_modules'].includes(entry.name)) continue;
      copyTree(f, path.join(to, entry.name), keep);
    } else if (keep(entry.name)) copy(f, path.join(to, entry.name));
  }
}
for (const name of seen) {
  const from = path.join(src, name);
  const to = path.join(dst, name);
  const pkg = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8'));
  copy(path.join(from, 'package.json'), path.join(to, 'package.json'));
  if (name.startsWith('@tensorflow/')) {
    // only the Node build (package.json "main") and, for wasm, its binaries
    copy(path.join(from, pkg.main), path.join(to, pkg.main));
    if (name === '@tensorflow/tfjs-backend-wasm') {
      for (const f of fs.readdirSync(path.join(from, 'dist'))) if (f.endsWith('.wasm')) copy(path.join(from, 'dist', f), path.join(to, 'dist', f));
    }
  } else if (name === 'webgpu') {
    copy(path.join(from, 'index.js'), path.join(to, 'index.js'));
    copy(path.join(from, 'dist/linux-x64/dawn.node'), path.join(to, 'dist/linux-x64/dawn.node'));
  } else {
    copyTree(from, to, (f) => /\.(js|cjs|mjs|json)$/.test(f) && !f.endsWith('.map'));
  }
  // a nested node_modules (version conflicts) would need the same treatment: none expected here
  const nested = path.join(from, 'node_modules');
  if (name !== 'webgpu' && fs.existsSync(nested) && fs.readdirSync(nested).some((d) => d !== '@types' && d !== '.bin')) {
    throw new Error(`${name} has a nested node_modules (a version conflict): teach gpu-bundle.sh to copy it`);
  }
}
console.error(`[gpu-bundle] ${seen.size} packages: ${[...seen].sort().join(' ')}`);
EOF

# ---- smoke test of the staged JS from a directory that has no other node_modules in reach
(cd "$STAGE" && ALIGNSCOPE_BACKEND=wasm node adapter.cjs >/dev/null) || { log "ERROR: the staged adapter.cjs does not run"; exit 1; }
(cd "$STAGE" && node cli.cjs grounded-lm --help >/dev/null) || { log "ERROR: the staged cli.cjs does not run"; exit 1; }
log "staged JS: $(du -sh "$STAGE" | cut -f1)"
$JS_ONLY && exit 0

if $BASELINE; then
  log "measuring the wasm baseline here: node bench.cjs --backend wasm ${GPU_BUNDLE_BENCH_ARGS:-}"
  # shellcheck disable=SC2086
  (cd "$STAGE" && ALIGNSCOPE_BACKEND=wasm node bench.cjs --backend wasm ${GPU_BUNDLE_BENCH_ARGS:-} >"$BUNDLE/baseline-wasm.jsonl.tmp") &&
    mv "$BUNDLE/baseline-wasm.jsonl.tmp" "$BUNDLE/baseline-wasm.jsonl" && cat "$BUNDLE/baseline-wasm.jsonl" >&2
fi

# ---- Vulkan loader and GL glue (.deb files, amd64), the way the device notes describe
mkdir -p "$BUNDLE/debs"
DEBS=(libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
missing=()
for p in "${DEBS[@]}"; do compgen -G "$BUNDLE/debs/${p}_*.deb" >/dev/null || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "downloading ${missing[*]}"
  mkdir -p /tmp/alignscope-amd64-lists/partial
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/alignscope-amd64-lists)
  apt-get "${o[@]}" -q update >/dev/null
  (cd "$BUNDLE/debs" && apt-get "${o[@]}" -q download "${missing[@]}")
fi

# ---- node itself (compressed once per version)
NODE_BIN=$(readlink -f "$(command -v node)")
NODE_VER=$(node --version)
NODE_XZ=$BUNDLE/node-$NODE_VER-linux-x64.xz
if [ ! -f "$NODE_XZ" ]; then
  log "compressing node $NODE_VER (a few minutes, once)"
  rm -f "$BUNDLE"/node-*.xz
  xz -T0 -6 -c "$NODE_BIN" >"$NODE_XZ.tmp" && mv "$NODE_XZ.tmp" "$NODE_XZ"
fi

# ---- payload
log "packing payload.tar.xz"
tar -C "$STAGE" -cf - . | xz -T0 -6 >"$BUNDLE/payload.tar.xz.tmp"
mv "$BUNDLE/payload.tar.xz.tmp" "$BUNDLE/payload.tar.xz"
rm -rf "$STAGE"

size=$(du -sb "$BUNDLE" | cut -f1)
log "bundle: $BUNDLE"
ls -l "$BUNDLE" "$BUNDLE/debs" >&2
log "total $((size / 1024 / 1024)) MiB ($size bytes), limit 60 MiB"
if [ "$size" -gt "$LIMIT" ]; then
  log "ERROR: the bundle is larger than 60 MiB"
  exit 1
fi
