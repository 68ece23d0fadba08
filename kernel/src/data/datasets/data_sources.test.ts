import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { scenesCommand } from '../../cli/scenes_command';
import { checkDatasetFormat } from './dataset_record';
import { exportDataset } from './dataset_export';
import { loadDataSource, loadDataSources, parseDataSources } from './data_sources';

describe('--data sources', () => {
  test('parses formats, paths and options', () => {
    const s = parseDataSources('coco:/data/coco?split=val2017&limit=500,refcoco:/d/ref?split=testA+testB&images=/d/coco/train2014&form=refs&skipMissing,scenes:?limit=3');
    assert.deepEqual(s, [
      { format: 'coco', path: '/data/coco', options: { split: ['val2017'], limit: 500 } },
      { format: 'refcoco', path: '/d/ref', options: { split: ['testA', 'testB'], imageDir: '/d/coco/train2014', form: 'refs', skipMissing: true } },
      { format: 'scenes', path: '', options: { limit: 3 } },
    ]);
  });

  test('unknown formats and options list what is supported; bad values name the option', () => {
    assert.throws(() => parseDataSources('imagenet:/x'), /unknown format 'imagenet' .*supported formats: coco, refcoco, flickr30k, vg, scenes/);
    assert.throws(() => parseDataSources('coco:/x?limt=3'), /unknown option 'limt'; known: split, limit/);
    assert.throws(() => parseDataSources('coco:/x?limit=-1'), /option 'limit': expected a non-negative integer; got '-1'/);
    assert.throws(() => parseDataSources('coco:'), /has no path/);
    assert.throws(() => parseDataSources('scenes:?split=testA'), /split 'testA' is not one of train, val, test/);
    assert.throws(() => checkDatasetFormat('voc'), /unknown dataset format 'voc'; supported formats: coco, refcoco, flickr30k, vg/);
  });

  test('scenes source and several sources at once', async () => {
    const [scenes] = await loadDataSources('scenes:?split=val&limit=2&seed=1', { onWarning: () => {} });
    assert.deepEqual(scenes!.records.map((r) => [r.id, r.split]), [['2000000', 'val'], ['2000001', 'val']]);
    const one = await loadDataSource(parseDataSources('scenes:?limit=1')[0]!);
    assert.equal(one.records[0]!.id, '3000000');
  });

  test('the exporter refuses unknown formats, VG with several splits, and a non-empty --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alignscope-exp-'));
    try {
      const recs = (await loadDataSources('scenes:?split=train+val&limit=1'))[0]!.records;
      await assert.rejects(exportDataset(recs, 'yolo', dir), /unknown dataset format 'yolo'; supported formats: coco, refcoco, flickr30k, vg/);
      await assert.rejects(exportDataset(recs, 'vg', dir), /Visual Genome has no splits; export one split at a time \(got train, val\)/);
      writeFileSync(join(dir, 'x'), '');
      await assert.rejects(scenesCommand(['export', '--format', 'coco', '--out', dir]), /is not empty/);
      await assert.rejects(scenesCommand(['export', '--format', 'pascal', '--out', join(dir, 'y')]), /supported formats: coco, refcoco, flickr30k, vg/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
