import type * as tf from '@tensorflow/tfjs-core';

/**
 * The one place variables live: a module owns its parameters and its child modules (like torch's
 * nn.Module). The trainer and checkpoints only use `namedVariables`, `trainableVariables`, `dispose`.
 */
export abstract class Module {
  private readonly params = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();
  private disposed = false;

  protected param<V extends tf.Variable>(name: string, v: V): V {
    this.params.set(name, v);
    return v;
  }

  protected child<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Variables by dotted path (`blocks.0.mlp.fc1.weight`): stable names for checkpoints. */
  namedVariables(): Map<string, tf.Variable> {
    const out = new Map(this.params);
    for (const [prefix, c] of this.children) {
      for (const [name, v] of c.namedVariables()) out.set(`${prefix}.${name}`, v);
    }
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.namedVariables().values()].filter((v) => v.trainable);
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    return this.trainableVariables().reduce((n, v) => n + v.size, 0);
  }

  /** Frees every variable; the module is unusable afterwards. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
    for (const c of this.children.values()) c.dispose();
  }
}
