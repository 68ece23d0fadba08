import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Why Dawn found no WebGPU adapter, in words a researcher can act on: the Vulkan loader, the Vulkan
 * drivers (ICD files) it would load, and whether an NVIDIA GPU is visible. Reads only files: no process
 * is spawned, nothing is loaded.
 */

/** The NVIDIA driver's ICD where container images mount the driver (e.g. /usr/local/nvidia). */
export const NVIDIA_MOUNTED_ICD = '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json';

const LIB_DIRS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/lib64',
  '/usr/lib64',
  '/lib',
  '/usr/lib',
  '/usr/local/lib',
];
const ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/usr/share/vulkan/icd.d'];

export interface VulkanFacts {
  /** Where libvulkan.so.1 was found, or undefined. */
  loader: string | undefined;
  /** ICD json files the loader would consider (VK_DRIVER_FILES / VK_ICD_FILENAMES override the search). */
  icds: string[];
  /** An NVIDIA GPU device node or driver is visible. */
  nvidiaGpu: boolean;
}

function splitPathList(value: string | undefined): string[] {
  return (value ?? '').split(':').filter((p) => p.length > 0);
}

function jsonFilesIn(target: string): string[] {
  try {
    if (fs.statSync(target).isDirectory()) {
      return fs
        .readdirSync(target)
        .filter((f) => f.endsWith('.json'))
        .map((f) => path.join(target, f));
    }
    return [target];
  } catch {
    return [];
  }
}

export function vulkanFacts(env: NodeJS.ProcessEnv = process.env): VulkanFacts {
  const libDirs = [...splitPathList(env.LD_LIBRARY_PATH), ...LIB_DIRS];
  const loader = libDirs.map((d) => path.join(d, 'libvulkan.so.1')).find((f) => fs.existsSync(f));
  const override = splitPathList(env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES);
  const icdDirs = override.length > 0 ? override : [...splitPathList(env.XDG_DATA_DIRS).map((d) => path.join(d, 'vulkan/icd.d')), ...ICD_DIRS];
  const icds = [...new Set(icdDirs.flatMap(jsonFilesIn))].filter((f) => fs.existsSync(f));
  const nvidiaGpu = fs.existsSync('/dev/nvidia0') || fs.existsSync('/proc/driver/nvidia/version');
  return { loader, icds, nvidiaGpu };
}

/** What is missing for Dawn to find an adapter, and how to get it. */
export function explainNoAdapter(facts: VulkanFacts = vulkanFacts()): string {
  if (process.platform !== 'linux') {
    return 'Dawn found no WebGPU adapter: install or update the GPU driver (Vulkan on Linux, D3D12 on Windows, Metal on macOS).';
  }
  const software = 'for a software check on a machine without GPU, `apt-get install -t bookworm-backports libvulkan1 mesa-vulkan-drivers` (Mesa >= 25 lavapipe; Debian 12\'s Mesa 22 is rejected by Dawn)';
  if (!facts.loader) {
    return `no Vulkan loader: libvulkan.so.1 was not found. Install it (\`apt-get install libvulkan1\`), and a Vulkan driver: the NVIDIA driver for a GPU, or ${software}.`;
  }
  const nvidiaIcd = facts.icds.find((f) => /nvidia/i.test(path.basename(f)));
  if (facts.nvidiaGpu && !nvidiaIcd) {
    const mounted = fs.existsSync(NVIDIA_MOUNTED_ICD) ? ` The driver's ICD exists at ${NVIDIA_MOUNTED_ICD}: \`export VK_DRIVER_FILES=${NVIDIA_MOUNTED_ICD}\`.` : '';
    return `an NVIDIA GPU is visible but no NVIDIA Vulkan driver is registered (no nvidia_icd.json among ${facts.icds.length} ICD files).${mounted} Otherwise install the NVIDIA driver's Vulkan component (Debian: nvidia-vulkan-icd; Ubuntu: libnvidia-gl-<version>).`;
  }
  if (facts.icds.length === 0) {
    return `no Vulkan driver: the loader (${facts.loader}) finds no ICD file. Install the NVIDIA driver (with its Vulkan ICD) for a GPU, or ${software}.`;
  }
  const names = facts.icds.map((f) => path.basename(f)).join(', ');
  if (facts.icds.every((f) => /lvp_icd/.test(path.basename(f)))) {
    return `Dawn rejected every Vulkan driver (only lavapipe: ${names}). Dawn needs Mesa >= 25 lavapipe: ${software}.`;
  }
  return `Dawn rejected every Vulkan driver (${names}): the driver may be too old for Dawn, or not match the installed GPU. Update the GPU driver, or ${software}.`;
}
