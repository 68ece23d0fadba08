/**
 * A small least-recently-used cache bounded by total size (bytes, or any cost unit): `get` refreshes
 * an entry, `set` evicts the oldest entries until the total fits. Backed by a Map (insertion order
 * = recency order), the usual JS idiom.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; cost: number }>();
  private total = 0;
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 0)) throw new Error(`LruCache: capacity must be >= 0; got ${capacity}.`);
  }

  get size(): number {
    return this.map.size;
  }

  get cost(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Stores `value`; an entry costlier than the whole capacity is not stored. */
  set(key: K, value: V, cost: number): void {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.cost;
      this.map.delete(key);
    }
    if (cost > this.capacity) return;
    this.map.set(key, { value, cost });
    this.total += cost;
    for (const [k, e] of this.map) {
      if (this.total <= this.capacity) break;
      this.map.delete(k);
      this.total -= e.cost;
    }
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}
