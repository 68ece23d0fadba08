#!/usr/bin/env bash
# GPU check: on a machine with a GPU, prints the WebGPU adapter (initBackend with ALIGNSCOPE_BACKEND=webgpu),
# runs every benchmark workload on webgpu and on wasm, and prints the speed-up per workload as JSON lines.
#
# Works on a bare machine with only the repository copied: bring .device-bundle/ (made here by
# `bash scripts/gpu-bundle.sh`), which holds the Vulkan loader .debs, node, and the bundled bench with a pruned
# node_modules. Where node_modules exists it bundles the JS itself from the source (a payload may be older than
# the source) and needs no .debs or node from the bundle.
#
#   bash scripts/gpu-check.sh
#
# On the device machine (see /work/.library/device/README.md), after `bash scripts/gpu-bundle.sh --with-baseline`
# here (rebuild it after any change to kernel/ or bench/: the bench travels compiled):
#   run(command="bash scripts/gpu-check.sh", carry=[".device-bundle"], timeout_s=600)
# Expected: ~1 min of set-up and webgpu, ~2-4 min of wasm; results come back as $OUT/gpu-check.jsonl.
#
# Output: JSON lines on stdout ({"kind":"backend"|"bench"|"speedup"|"summary", ...}); progress on stderr.
# Files (in $OUT if set, else /tmp/alignscope-gpu-check): gpu-check.jsonl (the same lines), gpu-check.log,
# bench-webgpu.jsonl, bench-wasm.jsonl, bench-webgpu.log, bench-wasm.log; with GPU_CHECK_PROFILE also
# profile-webgpu.txt (host CPU time per function and per package: where a dispatch-bound workload spends it)
# and profile-webgpu.cpuprofile (open it in Chrome DevTools or VS Code).
# Exit status: 0 when a hardware adapter ran every workload on both backends; 1 otherwise.
#
# Environment (all optional):
#   GPU_CHECK_WORKLOADS=a,b         only these workloads (passed as --workloads to the bench); none: no bench
#   GPU_CHECK_TRAIN="a.json b.json" first train these grounded-LM configs on webgpu, side by side (cli.cjs
#                                   grounded-lm --config …); each run's metrics.json comes back as
#                                   train-<config>.metrics.json, the logs as train.log, one "train" line each
#   GPU_CHECK_TRAIN_ARMS=scratch-bins64   the arms they train (--arms)
#   GPU_CHECK_TRAIN_TIMEOUT=420     seconds for each training (set the configs' stage1.maxMinutes well inside it)
#   GPU_CHECK_BENCH_ARGS="..."      more bench arguments, for both backends
#   GPU_CHECK_WEBGPU_TIMEOUT=200    seconds for the webgpu bench run (partial results are kept)
#   GPU_CHECK_WASM_TIMEOUT=240      seconds for the wasm bench run
#   GPU_CHECK_ALLOW_SOFTWARE=1      bench even on a software adapter (lavapipe; to test this script)
#   GPU_CHECK_PROFILE=train-step-ot after the benches, run these workloads once more on webgpu under
#                                   node --cpu-prof and summarise the host time (GPU_CHECK_PROFILE_RUNS, 10)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
START=$(date +%s)
RES=${OUT:-/tmp/alignscope-gpu-check}
mkdir -p "$RES"
RESULTS=$RES/gpu-check.jsonl
LOG=$RES/gpu-check.log
: >"$RESULTS"
: >"$LOG"
WORK=/tmp/alignscope-gpu-check-js
WEBGPU_TIMEOUT=${GPU_CHECK_WEBGPU_TIMEOUT:-200}
WASM_TIMEOUT=${GPU_CHECK_WASM_TIMEOUT:-240}

say() { echo "[gpu-check +$(($(date +%s) - START))s] $*" | tee -a "$LOG" >&2; }
emit() { echo "$1" | tee -a "$RESULTS"; }
json_str() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr '\n' ' ' | sed 's/^/"/; s/$/"/'; }
finish() {
  local ok=$1 why=$2
  emit "{\"kind\":\"summary\",\"ok\":$ok,\"reason\":$(json_str "$why"),\"elapsed_s\":$(($(date +%s) - START))}"
  [ "$ok" = true ] && exit 0 || exit 1
}

unxz_to() { # unxz_to FILE.xz DEST (xz, else python3's lzma)
  if command -v xz >/dev/null 2>&1; then xz -dc "$1" >"$2"; else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}
untar_xz() { # untar_xz FILE.tar.xz DIR
  if command -v xz >/dev/null 2>&1; then tar -C "$2" -xJf "$1"; else python3 -c 'import tarfile,sys; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$1" "$2"; fi
}

# configs of GPU_CHECK_TRAIN, as absolute paths; a missing one fails before anything is unpacked
train_configs=()
for cfg in ${GPU_CHECK_TRAIN:-}; do
  case $cfg in /*) ;; *) cfg=$ROOT/$cfg ;; esac
  [ -f "$cfg" ] || finish false "GPU_CHECK_TRAIN: no config file $cfg"
  train_configs+=("$cfg")
done

say "host: $(uname -srm); GPU: $(nvidia-smi -L 2>/dev/null | head -n 1 || echo 'nvidia-smi not found')"

# ---- 1. Vulkan loader: unpack the bundled .debs when the system has none
if ! ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' >/dev/null; then
  debs=$(ls "$ROOT"/.device-bundle/debs/*.deb "$ROOT"/.gl/*.deb 2>/dev/null)
  if [ -n "$debs" ]; then
    say "no libvulkan.so.1: unpacking $(echo "$debs" | wc -l) bundled .deb files into /"
    for f in $debs; do dpkg -x "$f" / >>"$LOG" 2>&1 || say "dpkg -x $f failed"; done
    ldconfig
  else
    say "no libvulkan.so.1 and no .device-bundle/debs: run scripts/gpu-bundle.sh where apt works and carry .device-bundle"
  fi
fi
loader=$(ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' | head -n 1 | sed 's/.*=> //')
[ -n "$loader" ] && say "Vulkan loader: $loader"

# ---- 2. node
NODE=""
node_ok() { "$1" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' >/dev/null 2>&1; }
if command -v node >/dev/null 2>&1 && node_ok node; then
  NODE=$(command -v node)
else
  nodexz=$(ls "$ROOT"/.device-bundle/node-*.xz 2>/dev/null | head -n 1)
  if [ -n "$nodexz" ]; then
    mkdir -p "$WORK/bin"
    unxz_to "$nodexz" "$WORK/bin/node" && chmod +x "$WORK/bin/node" && NODE=$WORK/bin/node
  fi
fi
[ -n "$NODE" ] && node_ok "$NODE" || finish false "no node >= 20 here and no .device-bundle/node-*.xz"
say "node: $NODE $("$NODE" --version)"

# ---- 3. the bundled bench + backend probe
# (from node_modules where there is one: the source is then the truth, and a payload may be older than it)
if [ -d "$ROOT/node_modules" ]; then
  say "bundling the JS from the source and node_modules"
  bash "$ROOT/scripts/gpu-bundle.sh" --js-only >>"$LOG" 2>&1 || finish false "scripts/gpu-bundle.sh --js-only failed (see $LOG)"
  JS=${TMPDIR:-/tmp}/alignscope-gpu-stage
elif [ -f "$ROOT/.device-bundle/payload.tar.xz" ]; then
  rm -rf "$WORK/js" && mkdir -p "$WORK/js"
  untar_xz "$ROOT/.device-bundle/payload.tar.xz" "$WORK/js" || finish false "could not unpack .device-bundle/payload.tar.xz"
  JS=$WORK/js
else
  finish false "neither .device-bundle/payload.tar.xz nor node_modules: run scripts/gpu-bundle.sh and carry .device-bundle"
fi

# ---- 4. the adapter, through initBackend (forced webgpu); retry with the NVIDIA driver's mounted ICD
nvidia_icd_mounted=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f "$nvidia_icd_mounted" ] &&
  ! ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json >/dev/null 2>&1; then
  say "the NVIDIA Vulkan ICD is only at $nvidia_icd_mounted: VK_DRIVER_FILES set to it"
  export VK_DRIVER_FILES=$nvidia_icd_mounted
  egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  [ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
fi
probe() { (cd "$JS" && ALIGNSCOPE_BACKEND=webgpu timeout 120 "$NODE" adapter.cjs 2>>"$LOG" | tail -n 1); }
backend_line=$(probe)
hardware() { echo "$1" | grep '"ok":true' >/dev/null && ! echo "$1" | grep '"software":true' >/dev/null; }
if ! hardware "$backend_line" && [ -f "$nvidia_icd_mounted" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  say "no hardware adapter yet ($(echo "$backend_line" | cut -c1-300)); retrying with VK_DRIVER_FILES=$nvidia_icd_mounted"
  export VK_DRIVER_FILES=$nvidia_icd_mounted
  egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  [ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
  backend_line=$(probe)
fi
if ! hardware "$backend_line" && [ -d /usr/local/nvidia/lib64 ]; then
  say "still none; retrying with /usr/local/nvidia/lib64 on LD_LIBRARY_PATH"
  export LD_LIBRARY_PATH=/usr/local/nvidia/lib64:/usr/local/nvidia/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  backend_line=$(probe)
fi
[ -n "$backend_line" ] || backend_line='{"kind":"backend","ok":false,"error":"the probe printed nothing (see gpu-check.log)"}'
emit "$backend_line"
if ! echo "$backend_line" | grep '"ok":true' >/dev/null; then
  {
    echo "--- Vulkan diagnostics"
    ls -l /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>&1
    ldconfig -p | grep -iE 'vulkan|GLX_nvidia|GLdispatch' 2>&1
    env | grep -E '^(VK_|LD_LIBRARY_PATH|__EGL)' 2>&1
  } >>"$LOG"
  finish false "webgpu is unavailable: $(echo "$backend_line" | sed -n 's/.*"error":"\(.*\)"}.*/\1/p' | cut -c1-400)"
fi
if echo "$backend_line" | grep '"software":true' >/dev/null && [ "${GPU_CHECK_ALLOW_SOFTWARE:-}" != 1 ]; then
  finish false "only a software adapter (no GPU Vulkan driver found); figures would not be GPU figures"
fi

# ---- 4b. optional: grounded-LM trainings on webgpu, side by side, one process each (the host CPU, not the GPU,
# bounds a small model's step rate, and this machine has cores to spare)
if [ ${#train_configs[@]} -gt 0 ]; then
  [ -f "$JS/cli.cjs" ] || finish false "GPU_CHECK_TRAIN needs cli.cjs in the bundle: rerun scripts/gpu-bundle.sh"
  train_timeout=${GPU_CHECK_TRAIN_TIMEOUT:-420}
  say "training side by side on webgpu (timeout ${train_timeout}s each, arms ${GPU_CHECK_TRAIN_ARMS:-scratch-bins64}): ${train_configs[*]}"
  : >"$RES/train.log"
  for cfg in "${train_configs[@]}"; do
    n=$(basename "$cfg" .json)
    (cd "$JS" && ALIGNSCOPE_BACKEND=webgpu timeout --kill-after=10 "$train_timeout" "$NODE" cli.cjs grounded-lm --config "$cfg" \
      --arms "${GPU_CHECK_TRAIN_ARMS:-scratch-bins64}" --out "$WORK/runs" --name "$n" --force 2>&1 | sed -u "s/^/[$n] /" >>"$RES/train.log") &
  done
  wait
  for cfg in "${train_configs[@]}"; do
    n=$(basename "$cfg" .json)
    m=$WORK/runs/$n/metrics.json
    if [ -f "$m" ]; then
      cp "$m" "$RES/train-$n.metrics.json"
      emit "$("$NODE" -e '
        const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        for (const r of m.runs) console.log(JSON.stringify({ kind: "train", config: process.argv[2], backend: m.backend, arm: r.arm, seed: r.seed,
          steps: r.steps, stoppedReason: r.stoppedReason, trainSeconds: r.trainSeconds, stepsPerSecond: Number((r.steps / r.trainSeconds).toFixed(2)),
          rec: r.metrics.rec.accuracy, AP: r.metrics.detection.AP, AP50: r.metrics.detection.AP50, names: r.metrics.names.micro.f1,
          namesFromDetections: r.metrics.namesFromDetection.micro.f1 }));' "$m" "$n")"
    else
      last=$(grep -F "[$n] " "$RES/train.log" | grep -v 'artificially reduced' | tail -n 1 | cut -c1-400)
      emit "{\"kind\":\"train\",\"config\":\"$n\",\"ok\":false,\"reason\":$(json_str "no metrics.json; the run's last line: $last")}"
    fi
  done
fi
if [ "${GPU_CHECK_WORKLOADS:-}" = none ]; then
  n_train=$(grep '"kind":"train"' "$RESULTS" | grep -c '"steps":' || true)
  n_want=${#train_configs[@]}
  [ "$n_want" -gt 0 ] && [ "${n_train:-0}" -eq "$n_want" ] && finish true "no benchmarks (GPU_CHECK_WORKLOADS=none); $n_train training(s) evaluated"
  finish false "no benchmarks (GPU_CHECK_WORKLOADS=none); ${n_train:-0} of $n_want training(s) evaluated"
fi

# ---- 5. the benchmarks: webgpu, then wasm (partial results survive a timeout)
bench_args=()
[ -n "${GPU_CHECK_WORKLOADS:-}" ] && bench_args+=(--workloads "$GPU_CHECK_WORKLOADS")
# shellcheck disable=SC2206
[ -n "${GPU_CHECK_BENCH_ARGS:-}" ] && bench_args+=(${GPU_CHECK_BENCH_ARGS})
run_bench() { # run_bench BACKEND TIMEOUT
  local b=$1 t=$2
  say "bench on $b (timeout ${t}s): node bench.cjs --backend $b ${bench_args[*]}"
  (cd "$JS" && ALIGNSCOPE_BACKEND=$b timeout --kill-after=10 "$t" "$NODE" bench.cjs --backend "$b" "${bench_args[@]}" \
    >"$RES/bench-$b.jsonl" 2>"$RES/bench-$b.log")
  local rc=$?
  [ $rc -eq 124 ] && say "bench on $b timed out after ${t}s: keeping the workloads it finished"
  [ $rc -ne 0 ] && [ $rc -ne 124 ] && say "bench on $b exited with $rc: $(grep -v 'artificially reduced' "$RES/bench-$b.log" | tail -n 5)"
  grep '^{' "$RES/bench-$b.jsonl" | while read -r line; do emit "{\"kind\":\"bench\",\"backend\":\"$b\",\"result\":$line}"; done
  return $rc
}
run_bench webgpu "$WEBGPU_TIMEOUT"
webgpu_rc=$?
run_bench wasm "$WASM_TIMEOUT"
wasm_rc=$?

# ---- 6. optional: where the host time of a workload goes on webgpu (node --cpu-prof, summarised)
if [ -n "${GPU_CHECK_PROFILE:-}" ]; then
  say "profiling on webgpu: ${GPU_CHECK_PROFILE}"
  rm -rf "$WORK/prof" && mkdir -p "$WORK/prof"
  (cd "$JS" && ALIGNSCOPE_BACKEND=webgpu timeout --kill-after=10 120 "$NODE" --cpu-prof --cpu-prof-dir="$WORK/prof" \
    bench.cjs --backend webgpu --workloads "$GPU_CHECK_PROFILE" --runs "${GPU_CHECK_PROFILE_RUNS:-10}" \
    >"$WORK/prof/bench.jsonl" 2>>"$LOG") || say "the profiled run failed (see $LOG)"
  prof=$(ls "$WORK"/prof/*.cpuprofile 2>/dev/null | head -n 1)
  if [ -n "$prof" ]; then
    cp "$prof" "$RES/profile-webgpu.cpuprofile"
    "$NODE" "$ROOT/scripts/summarise-cpuprofile.cjs" "$prof" >"$RES/profile-webgpu.txt" 2>>"$LOG" &&
      cat "$WORK/prof/bench.jsonl" >>"$RES/profile-webgpu.txt"
  fi
fi

# ---- 7. speed-up per workload
# wasm figures of the CPU build machine, when gpu-bundle.sh --with-baseline measured them there
"$NODE" - "$RES/bench-webgpu.jsonl" "$RES/bench-wasm.jsonl" "$backend_line" "$ROOT/.device-bundle/baseline-wasm.jsonl" <<'EOF' | tee -a "$RESULTS"
const fs = require('fs');
const [gpuFile, cpuFile, backendLine, baselineFile] = process.argv.slice(2);
const read = (f) => {
  const out = new Map();
  for (const line of (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '').split('\n')) {
    if (!line.startsWith('{')) continue;
    try { const r = JSON.parse(line); if (r.workload && typeof r.median_ms === 'number') out.set(r.workload, r); } catch {}
  }
  return out;
};
const gpu = read(gpuFile);
const cpu = read(cpuFile);
const base = read(baselineFile);
const backend = JSON.parse(backendLine);
const targets = { 'sinkhorn-fwd': 20, 'train-step-ot': 10 }; // issue 8 (vs wasm on the CPU build machine)
for (const w of [...new Set([...gpu.keys(), ...cpu.keys()])]) {
  const g = gpu.get(w);
  const c = cpu.get(w);
  const speedup = g && c ? c.median_ms / g.median_ms : null;
  console.log(JSON.stringify({
    kind: 'speedup', workload: w,
    webgpu_ms: g ? g.median_ms : null, wasm_ms: c ? c.median_ms : null,
    speedup: speedup === null ? null : Number(speedup.toFixed(2)),
    target: targets[w] ?? null,
    // the targets are against wasm on the CPU build machine: its baseline when bundled, else this machine's wasm
    meets_target: targets[w] === undefined ? null : (() => {
      const against = base.has(w) && g ? base.get(w).median_ms / g.median_ms : speedup;
      return against === null ? null : against >= targets[w];
    })(),
    target_against: targets[w] === undefined ? null : base.has(w) ? 'baseline_wasm_ms (the CPU build machine)' : 'wasm_ms (this machine)',
    adapter: backend.adapter ? `${backend.adapter.vendor} ${backend.adapter.architecture} ${backend.adapter.device} (${backend.adapter.driver})` : backend.device,
    note: g && c ? 'speedup: vs wasm on this machine\'s CPU' : `missing on ${g ? 'wasm' : 'webgpu'}`,
    ...(base.has(w) ? {
      baseline_wasm_ms: base.get(w).median_ms,
      speedup_vs_baseline: g ? Number((base.get(w).median_ms / g.median_ms).toFixed(2)) : null,
      baseline_device: base.get(w).device ?? null,
    } : {}),
  }));
}
EOF
n_gpu=$(grep -c '^{' "$RES/bench-webgpu.jsonl" 2>/dev/null || true)
n_cpu=$(grep -c '^{' "$RES/bench-wasm.jsonl" 2>/dev/null || true)
if [ "$webgpu_rc" -eq 0 ] && [ "$wasm_rc" -eq 0 ] && [ "${n_gpu:-0}" -gt 0 ]; then
  finish true "webgpu ran ${n_gpu} workloads, wasm ${n_cpu}"
fi
finish false "webgpu bench exit ${webgpu_rc} (${n_gpu:-0} workloads), wasm bench exit ${wasm_rc} (${n_cpu:-0} workloads)"
