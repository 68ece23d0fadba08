/**
 * How the fused WebGPU Sinkhorn programs lay out one batch of problems (kernel domain; the log-domain
 * programs use the same workgroup shape with -C/eps in place of K and the potentials F, G as state).
 *
 * Buffers (f32, row-major, problem p at offset p * width):
 *   geometry [B, n*m + n + 1]   K_ij = exp(-(C_ij - r_i)/eps) (n*m), row shifts r_i = min_j C_ij (n),
 *                               and the problem's cost range max_i (max_j C_ij - r_i) (1)
 *   state    [B, n + m]         the scalings u (n) then v (m)
 *
 * Each problem runs in one workgroup of `workgroup` invocations (a power of two, >= 32, one invocation
 * per row when n allows). K is copied into workgroup memory when it fits the device's limit, with an odd
 * row stride so that invocations reading different rows of the same column hit different memory banks;
 * otherwise it is re-read from `geometry` (the L1/L2 caches hold it).
 */
export interface KernelLayout {
  /** Whether the state fits in workgroup memory (else the programs cannot run: use the TF.js iterators). */
  supported: boolean;
  B: number;
  n: number;
  m: number;
  /** Floats per problem in `geometry`. */
  geometryWidth: number;
  /** Invocations per workgroup (a power of two). */
  workgroup: number;
  /** Whether the iteration program keeps K (log domain: -C/eps) in workgroup memory. */
  sharedKernel: boolean;
  /** Row stride of K in workgroup memory (m, made odd). */
  sharedStride: number;
  /** Row groups of the column update: columns j get partial sums over rows i = r, r + R, ... (r < R). */
  rowGroups: number;
}

export interface DeviceLimits {
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
}

/** Offsets inside one problem's slice of `geometry`. */
export const geometryOffsets = (n: number, m: number) => ({ kernel: 0, shift: n * m, range: n * m + n });

/**
 * Chooses the layout for [B, n, m] problems on a device; `sharedKernel: false` forces K to stay in global
 * memory (tests exercise that path on small problems).
 */
export function kernelLayout(B: number, n: number, m: number, limits: DeviceLimits, sharedKernel = true): KernelLayout {
  let workgroup = 32;
  while (workgroup < Math.max(n, m) && workgroup < 256) workgroup *= 2;
  workgroup = Math.min(workgroup, floorPowerOfTwo(limits.maxComputeInvocationsPerWorkgroup));
  const sharedStride = m % 2 === 0 ? m + 1 : m;
  const rowGroups = m <= workgroup ? Math.max(1, Math.min(n, Math.floor(workgroup / m))) : 1;
  // Workgroup memory: the scalings or potentials and log-marginals (at most 2 (n + m)), the column partial
  // sums (2 R m <= 2 workgroup) or a vec4 reduction scratch (4 workgroup); K or -C/eps on top when it fits.
  const stateFloats = 2 * (n + m) + 4 * workgroup;
  const bytes = limits.maxComputeWorkgroupStorageSize;
  return {
    supported: stateFloats * 4 <= bytes,
    B,
    n,
    m,
    geometryWidth: n * m + n + 1,
    workgroup,
    sharedKernel: sharedKernel && (stateFloats + n * sharedStride) * 4 <= bytes,
    sharedStride,
    rowGroups,
  };
}

function floorPowerOfTwo(x: number): number {
  let p = 1;
  while (p * 2 <= x) p *= 2;
  return p;
}

/** The compile-time part of a layout, for shader keys (B is a uniform). */
export function layoutKey(layout: KernelLayout): string {
  return `${layout.n}x${layout.m}_wg${layout.workgroup}_${layout.sharedKernel ? 'shared' : 'global'}`;
}
