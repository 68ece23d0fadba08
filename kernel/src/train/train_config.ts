import type { OptimizerConfig } from './adam';
import type { ScheduleConfig } from './lr_schedule';

/**
 * The trainer's configuration: typed data, frozen defaults, a merge that rejects unknown keys and
 * wrong types. Every field is run-defining (stored in checkpoints and compared on resume) except
 * `checkpointEvery`, which only says how often to save.
 */
export interface TrainConfig {
  /** Total optimisation steps of the run (the schedule's horizon). */
  steps: number;
  /** Seed of the batch generators (see step_rng.ts). */
  seed: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  /** Global gradient-norm clip; null = no clipping (the norm is still reported). */
  clipGradNorm: number | null;
  /** Save a checkpoint every k steps (0 = only at the end / on cancel). Needs an output folder. */
  checkpointEvery: number;
}

/** Partial config, as a user writes it. */
export type TrainConfigInput = Partial<Omit<TrainConfig, 'optimizer' | 'schedule'>> & {
  optimizer?: Partial<OptimizerConfig>;
  schedule?: Partial<ScheduleConfig>;
};

export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  steps: 1000,
  seed: 0,
  optimizer: Object.freeze({ kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }),
  schedule: Object.freeze({ kind: 'cosine', warmupSteps: 0, minLr: 0 }),
  clipGradNorm: 1.0,
  checkpointEvery: 0,
}) as Readonly<TrainConfig>;

/** Fields that do not define the run (not compared on resume). */
export const NON_DEFINING_FIELDS: readonly string[] = ['checkpointEvery'];

type Check = (value: unknown) => boolean;
const isPositiveInt: Check = (v) => Number.isInteger(v) && (v as number) > 0;
const isNonNegInt: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const isFiniteNum: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isNonNegNum: Check = (v) => isFiniteNum(v) && (v as number) >= 0;
const isPositiveNum: Check = (v) => isFiniteNum(v) && (v as number) > 0;
const isUnit: Check = (v) => isFiniteNum(v) && (v as number) >= 0 && (v as number) < 1;

const SCHEMA: Record<string, [Check, string]> = {
  steps: [isPositiveInt, 'a positive integer'],
  seed: [Number.isInteger, 'an integer'],
  clipGradNorm: [(v) => v === null || isPositiveNum(v), 'a positive number or null'],
  checkpointEvery: [isNonNegInt, 'a non-negative integer'],
  'optimizer.kind': [(v) => v === 'adam' || v === 'adamw', "'adam' or 'adamw'"],
  'optimizer.lr': [isPositiveNum, 'a positive number'],
  'optimizer.beta1': [isUnit, 'a number in [0, 1)'],
  'optimizer.beta2': [isUnit, 'a number in [0, 1)'],
  'optimizer.eps': [isPositiveNum, 'a positive number'],
  'optimizer.weightDecay': [isNonNegNum, 'a non-negative number'],
  'schedule.kind': [(v) => v === 'cosine' || v === 'constant', "'cosine' or 'constant'"],
  'schedule.warmupSteps': [isNonNegInt, 'a non-negative integer'],
  'schedule.minLr': [isNonNegNum, 'a non-negative number'],
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merges `input` over the defaults. Throws, naming the key, for an unknown key or a wrong type.
 *
 * @example
 *   resolveTrainConfig({ steps: 200, optimizer: { lr: 3e-4 } });
 */
export function resolveTrainConfig(input: TrainConfigInput = {}): TrainConfig {
  const merge = (defaults: Record<string, unknown>, given: unknown, path: string): Record<string, unknown> => {
    if (!isPlainObject(given)) throw new Error(`train config${path ? ` '${path}'` : ''}: expected an object, got ${JSON.stringify(given)}.`);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(given)) {
      if (!(key in defaults)) {
        const where = path ? `${path}.${key}` : key;
        throw new Error(`train config: unknown key '${where}' (known: ${Object.keys(defaults).map((k) => (path ? `${path}.${k}` : k)).join(', ')}).`);
      }
    }
    for (const [key, def] of Object.entries(defaults)) {
      const where = path ? `${path}.${key}` : key;
      const value = given[key];
      if (isPlainObject(def)) {
        out[key] = merge(def, value === undefined ? {} : value, where);
        continue;
      }
      const v = value === undefined ? def : value;
      const [check, expected] = SCHEMA[where];
      if (!check(v)) throw new Error(`train config '${where}': expected ${expected}, got ${JSON.stringify(v)}.`);
      out[key] = v;
    }
    return out;
  };
  const resolved = merge(DEFAULT_TRAIN_CONFIG as unknown as Record<string, unknown>, input, '') as unknown as TrainConfig;
  if (resolved.schedule.warmupSteps > resolved.steps) {
    throw new Error(`train config 'schedule.warmupSteps': expected at most steps (${resolved.steps}), got ${resolved.schedule.warmupSteps}.`);
  }
  return resolved;
}

/**
 * The first difference between two JSON values, as `path: a vs b`, or null when equal. Used to name the
 * mismatching field when a checkpoint does not belong to the current configuration.
 */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path || '(root)'}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path || '(root)'}: ${show(a)} vs ${show(b)}`;
}
