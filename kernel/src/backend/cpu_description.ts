import * as os from 'node:os';

/** "AMD EPYC 7B13, 2 cores" — the host CPU as the OS reports it. */
export function cpuDescription(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() || 'unknown CPU';
  return `${model}, ${cpus.length} core${cpus.length === 1 ? '' : 's'}`;
}
