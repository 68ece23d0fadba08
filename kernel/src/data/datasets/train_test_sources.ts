/**
 * The records of a run from its `--data` and (optional) `--test-data` sources: every source loaded in
 * order (loadDataSources: warnings counted, missing images an error unless `skipMissing`), then the
 * test records are the test sources' records, or — without test sources — a deterministic held-out
 * slice of the training records (held_out_split.ts).
 *
 * @example
 *   const split = await loadTrainTestRecords({ data: 'coco:/d/coco?split=train2017&limit=5000',
 *                                              testData: 'coco:/d/coco?split=val2017&limit=1000', holdOut: 500, seed: 0 });
 */
import type { DataSource } from './data_sources';
import { loadDataSources } from './data_sources';
import type { DatasetRecord } from './dataset_record';
import { holdOutRecords, type RecordSplit } from './held_out_split';
import type { LoadOptions } from './load_options';

export interface TrainTestSources {
  /** Training sources (a `--data` value or parsed sources). */
  data: string | readonly DataSource[];
  /** Test sources; absent → hold out `holdOut` training records. */
  testData?: string | readonly DataSource[];
  holdOut: number;
  seed: number;
  onWarning?: (message: string) => void;
}

export interface LoadedTrainTest extends RecordSplit {
  /** Per source: its spec, record count and load warnings (for metrics.json). */
  sources: { role: 'train' | 'test'; format: string; path: string; options: unknown; records: number; warnings: string[] }[];
}

async function load(spec: string | readonly DataSource[], role: 'train' | 'test', flag: string, extra: LoadOptions): Promise<{ records: DatasetRecord[]; sources: LoadedTrainTest['sources'] }> {
  const loaded = await loadDataSources(spec, extra);
  const records = loaded.flatMap((l) => l.records);
  if (records.length === 0) throw new Error(`${flag}: the sources gave no records (${loaded.map((l) => `${l.source.format}:${l.source.path}`).join(', ')}); check the path, split and limit.`);
  return {
    records,
    sources: loaded.map((l) => ({ role, format: l.format, path: l.source.path, options: l.source.options, records: l.records.length, warnings: l.report.warnings })),
  };
}

export async function loadTrainTestRecords(o: TrainTestSources): Promise<LoadedTrainTest> {
  const extra: LoadOptions = o.onWarning ? { onWarning: o.onWarning } : {};
  const train = await load(o.data, 'train', '--data', extra);
  if (o.testData === undefined) {
    const split = holdOutRecords(train.records, o.holdOut, o.seed);
    return { ...split, sources: train.sources };
  }
  const test = await load(o.testData, 'test', '--test-data', extra);
  return { train: train.records, test: test.records, rule: 'the --test-data sources', sources: [...train.sources, ...test.sources] };
}
