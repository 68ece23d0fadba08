/** Median of a list of durations (ms). */
export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `body` `warmup` times untimed, then `runs` times timed; `body` must only return once the device
 * finished (read a scalar of the result). Returns every timed run in ms.
 */
export async function timeRuns(body: () => Promise<void>, runs: number, warmup: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await body();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await body();
    times.push(performance.now() - start);
  }
  return times;
}
