import { existsSync, readdirSync } from 'node:fs';
import { GroundedScenes } from '../data/grounded_scenes';
import { SPLITS, type SplitName } from '../data/scene_types';
import { exportDataset } from '../data/datasets/dataset_export';
import { checkDatasetFormat, DATASET_FORMATS } from '../data/datasets/dataset_record';
import { sceneToRecord } from '../data/datasets/scene_to_record';

const USAGE = `usage: alignscope scenes export --format ${DATASET_FORMATS.join('|')} --out DIR [--split train|val|test|all] [--limit N] [--seed N] [--image-size N]

Writes the embedded grounded scenes (PNG images + annotations) in a real dataset's format, so that
the dataset loaders (and --data FORMAT:DIR) read them back. Default: split test, all its scenes, seed 0.
`;

/**
 * `alignscope scenes export --format F --out DIR [--split S] [--limit N] [--seed N] [--image-size N]`.
 * The output folder must be empty or new (nothing is overwritten). `print` receives the normal output
 * (a seam for tests); errors go to stderr or are thrown.
 */
export async function scenesCommand(argv: string[], print: (text: string) => void = (t) => void process.stdout.write(t)): Promise<number> {
  const [what, ...rest] = argv;
  if (what === '--help' || what === '-h') {
    print(USAGE);
    return 0;
  }
  if (what !== 'export') {
    process.stderr.write(`alignscope scenes: expected 'export'; got '${what ?? ''}'.\n\n${USAGE}`);
    return 2;
  }
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const k = rest[i]!;
    if (!['--format', '--out', '--split', '--limit', '--seed', '--image-size'].includes(k)) {
      process.stderr.write(`alignscope scenes export: unknown option '${k}'.\n\n${USAGE}`);
      return 2;
    }
    if (rest[i + 1] === undefined) throw new Error(`${k}: missing value.`);
    flags.set(k, rest[i + 1]!);
  }
  const format = checkDatasetFormat(flags.get('--format') ?? '', '--format');
  const out = flags.get('--out');
  if (!out) throw new Error('--out: required (the folder to write).');
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`--out: ${out} is not empty; choose a new or empty folder.`);
  const int = (k: string): number | undefined => {
    const v = flags.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${k}: expected a non-negative integer; got '${v}'.`);
    return n;
  };
  const splitFlag = flags.get('--split') ?? 'test';
  if (splitFlag !== 'all' && !(SPLITS as readonly string[]).includes(splitFlag)) throw new Error(`--split: expected one of ${SPLITS.join(', ')}, all; got '${splitFlag}'.`);
  const splits: SplitName[] = splitFlag === 'all' ? [...SPLITS] : [splitFlag as SplitName];
  const imageSize = int('--image-size');
  const ds = new GroundedScenes({ seed: int('--seed') ?? 0, ...(imageSize !== undefined ? { imageSize } : {}) });
  const limit = int('--limit') ?? Infinity;
  const records = splits.flatMap((s) => Array.from({ length: Math.min(limit, ds.size(s)) }, (_, i) => sceneToRecord(ds.getScene(s, i))));
  const files = await exportDataset(records, format, out);
  print(`wrote ${records.length} scenes (${splits.join(', ')}) as ${format} to ${out}:\n${files.map((f) => `  ${f}`).join('\n')}\n`);
  return 0;
}
