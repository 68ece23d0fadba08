import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadCoco } from './coco_loader';
import { loadFlickr30k } from './flickr30k_loader';
import type { LoadOptions } from './load_options';
import { loadRefcoco } from './refcoco_loader';
import { COCO_CAPTION_UNICODE, writeCocoFixture, writeFlickrFixture, writeRefcocoFixture, writeVgFixture } from './test_support/fixtures';
import { loadVisualGenome } from './vg_loader';
import { expressionRows, wordTargets } from './evaluation_rows';

const roots: string[] = [];
function fixture(write: (root: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'alignscope-ds-'));
  roots.push(root);
  write(root);
  return root;
}
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const quiet: LoadOptions = { onWarning: () => {} };

/** Every file under `root` with its size and mtime: loaders must not change it. */
function snapshot(root: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out.push(`${p} ${s.size} ${s.mtimeMs}`);
    }
  };
  walk(root);
  return out.join('\n');
}

describe('COCO loader', () => {
  test('captions + instances: xywh → xyxy, crowd kept, non-contiguous category ids, non-ASCII captions', async () => {
    const root = fixture(writeCocoFixture);
    const before = snapshot(root);
    const { records, report } = await loadCoco(root, quiet);
    assert.equal(snapshot(root), before, 'the loader wrote into the dataset folder');
    assert.deepEqual(records.map((r) => [r.id, r.split, r.width, r.height]), [['139', 'val2017', 60, 40], ['285', 'val2017', 20, 30]]);
    assert.deepEqual(records[0]!.captions, ['A dog next to a person.', 'Two things, "quoted" \\ and a backslash.']);
    assert.deepEqual(records[1]!.captions, [COCO_CAPTION_UNICODE]);
    assert.deepEqual(records[0]!.objects, [
      { id: '1768', name: 'dog', box: [10.5, 5.25, 30.5, 20.25], categoryId: 18, iscrowd: false, area: 50.5 },
      { id: '900100', name: 'person', box: [0, 0, 30, 20], categoryId: 1, iscrowd: true, area: 300 },
    ]);
    assert.deepEqual(records[1]!.objects.map((o) => [o.name, o.categoryId]), [['toothbrush', 90]]);
    assert.equal(records[0]!.image.kind === 'file' && records[0]!.image.path, join(root, 'val2017', '000000000139.jpg'));
    assert.equal(report.warnings.length, 0);
  });

  test('limit and split selection', async () => {
    const root = fixture(writeCocoFixture);
    const { records } = await loadCoco(root, { ...quiet, split: 'val2017', limit: 1 });
    assert.deepEqual(records.map((r) => [r.id, r.captions.length, r.objects.length]), [['139', 2, 2]]);
    await assert.rejects(loadCoco(root, { split: 'train2017' }), /split 'train2017' not found .*available: val2017/);
  });
});

describe('RefCOCO loader', () => {
  test('finetune form: one expression per image entry, grouped by original_id, one row per expression', async () => {
    const root = fixture(writeRefcocoFixture);
    const { records } = await loadRefcoco(root, { ...quiet, split: 'testA' });
    assert.deepEqual(records.map((r) => [r.id, r.split]), [['9', 'testA'], ['25', 'testA']]);
    assert.deepEqual(records[0]!.expressions, [
      { id: '0', text: 'man on the left', box: [0, 0, 30, 40], objectId: '501', name: 'person' },
      { id: '1', text: 'right guy', box: [32, 0, 64, 48], objectId: '502', name: 'person' },
    ]);
    assert.equal(records[1]!.expressions[0]!.text, 'hombre pequeño');
    assert.deepEqual(expressionRows(records).map((r) => r.id), ['0', '1', '2']);
    const all = await loadRefcoco(root, { ...quiet, split: ['val', 'testA'] });
    assert.deepEqual(all.records.map((r) => r.split), ['val', 'testA', 'testA']);
  });

  test('refs(unc).p + instances.json: pickle read, all instances as objects, raw text else sent', async () => {
    const root = fixture(writeRefcocoFixture);
    const { records } = await loadRefcoco(root, { ...quiet, form: 'refs' });
    assert.deepEqual(records.map((r) => [r.id, r.split, r.objects.length]), [['9', 'testA', 2], ['25', 'val', 1]]);
    assert.deepEqual(records[0]!.expressions.map((e) => [e.id, e.text, e.objectId]), [['0', 'Man on the LEFT', '501'], ['1', 'left man', '501']]);
    assert.equal(records[1]!.expressions[0]!.text, 'el gato pequeño');
    const testA = await loadRefcoco(root, { ...quiet, form: 'refs', split: 'testA' });
    assert.deepEqual(testA.records.map((r) => r.id), ['9']);
  });

  test('a pickle of Python objects is rejected with the one-line conversion; the .json conversion loads', async () => {
    const root = fixture(writeRefcocoFixture);
    writeFileSync(join(root, 'refs(unc).p'), Buffer.from("\x80\x02cnumpy.core.multiarray\n_reconstruct\nq\x00.", 'latin1'));
    await assert.rejects(loadRefcoco(root, { form: 'refs' }), (e: Error) => /Python object \(GLOBAL numpy.core.multiarray._reconstruct\)/.test(e.message) && /python3 -c "import pickle,json/.test(e.message));
    writeFileSync(join(root, 'refs(unc).json'), JSON.stringify([{ ref_id: 0, ann_id: 503, image_id: 25, split: 'val', sentences: [{ sent_id: 4, sent: 'cat' }] }]));
    const { records } = await loadRefcoco(root, { ...quiet, form: 'refs' });
    assert.deepEqual(records[0]!.expressions.map((e) => e.text), ['cat']);
  });
});

describe('Flickr30k Entities loader', () => {
  test('markup, several boxes per phrase, an object with two names, nobndbox/scene, notvisual, non-ASCII', async () => {
    const root = fixture(writeFlickrFixture);
    const { records } = await loadFlickr30k(root, { ...quiet, split: 'test' });
    assert.equal(records.length, 1);
    const r = records[0]!;
    assert.equal(r.captions[0], 'Two young guys with shaggy hair look at their hands while hanging out in the yard .');
    assert.equal(r.captions[1], 'Zwei Jungen schauen auf ihre Hände , während sie im Hof sind .');
    const p = r.phrases;
    assert.deepEqual(p[0], { text: 'Two young guys', boxes: [[0, 0, 20, 30], [24, 1, 50, 40]], id: '1', caption: 0, span: [0, 14], type: 'people' });
    assert.deepEqual([p[1]!.boxes, p[2]!.boxes], [[[4, 4, 10, 12]], [[4, 4, 10, 12]]]);
    assert.deepEqual(p[3], { text: 'the yard', boxes: [], id: '4', caption: 0, span: [73, 81], type: 'scene', noBox: true, scene: true });
    assert.equal(r.captions[0]!.slice(...p[3]!.span!), 'the yard');
    const sie = p.find((x) => x.text === 'sie')!;
    assert.deepEqual([sie.boxes, sie.type, sie.noBox], [[], 'notvisual', undefined]);
    assert.equal(r.captions[1]!.slice(...p.find((x) => x.text === 'ihre Hände')!.span!), 'ihre Hände');
    // grounding targets: every word of a boxed phrase, with all its boxes
    const t = wordTargets(records).filter((w) => w.caption === 0);
    assert.deepEqual(t.map((w) => w.text), ['Two', 'young', 'guys', 'shaggy', 'hair', 'their', 'hands']);
    assert.equal(t[0]!.boxes.length, 2);
  });

  test('malformed markup names the file and line', async () => {
    const root = fixture(writeFlickrFixture);
    writeFileSync(join(root, 'Sentences', '1000092795.txt'), 'ok line\n[/EN#1/people broken markup .\n');
    await assert.rejects(loadFlickr30k(root, quiet), /1000092795\.txt: line 2: malformed phrase markup/);
  });
});

describe('Visual Genome loader', () => {
  test('regions xywh → xyxy; sizes from image headers when image_data.json is absent; images in VG_100K_2', async () => {
    const root = fixture(writeVgFixture);
    const { records } = await loadVisualGenome(root, quiet);
    assert.deepEqual(records.map((r) => [r.id, r.split, r.width, r.height]), [['1', 'all', 80, 60], ['2', 'all', 40, 50]]);
    assert.deepEqual(records[0]!.phrases, [
      { text: 'the clock is green in colour', boxes: [[5, 10, 45, 30]], id: '1382' },
      { text: 'Schäferhund', boxes: [[0, 0, 10, 10]], id: '1383' },
    ]);
    assert.match((records[1]!.image as { path: string }).path, /VG_100K_2[/\\]2\.jpg$/);
    const one = await loadVisualGenome(root, { ...quiet, limit: 1, split: 'train' });
    assert.deepEqual(one.records.map((r) => [r.id, r.split]), [['1', 'train']]);
  });
});

describe('bad input: nothing lost, nothing silent', () => {
  test('malformed JSON → file name and position', async () => {
    const root = fixture(writeCocoFixture);
    const file = join(root, 'annotations', 'captions_val2017.json');
    writeFileSync(file, '{"images": [\n  {"id": 1,}\n]}');
    await assert.rejects(loadCoco(root, quiet), (e: Error) => e.message.startsWith(`${file}: malformed JSON at line 2, column 12`) && /expected '"'/.test(e.message));
  });

  test('missing field → the record id and the field', async () => {
    const root = fixture(writeCocoFixture);
    const file = join(root, 'annotations', 'instances_val2017.json');
    const j = JSON.parse(readFileSync(file, 'utf8'));
    delete j.annotations[2].bbox;
    writeFileSync(file, JSON.stringify(j));
    await assert.rejects(loadCoco(root, quiet), new RegExp(`instances_val2017\\.json: annotation id 42: missing field 'bbox'`));
    const vg = fixture(writeVgFixture);
    const regions = JSON.parse(readFileSync(join(vg, 'region_descriptions.json'), 'utf8'));
    delete regions[1].regions[0].phrase;
    writeFileSync(join(vg, 'region_descriptions.json'), JSON.stringify(regions));
    await assert.rejects(loadVisualGenome(vg, quiet), /region_id 5000: missing field 'phrase'/);
  });

  test('missing image files → error with the first paths and the count; skipMissing skips and counts', async () => {
    const root = fixture(writeCocoFixture);
    rmSync(join(root, 'val2017', '000000000285.png'));
    await assert.rejects(loadCoco(root, quiet), (e: Error) => /1 image file\(s\) missing \(of 2\)/.test(e.message) && e.message.includes('000000000285.png') && /skipMissing/.test(e.message));
    const warnings: string[] = [];
    const { records, report } = await loadCoco(root, { skipMissing: true, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(records.map((r) => r.id), ['139']);
    assert.equal(report.skippedMissingImages, 1);
    assert.match(warnings.join('\n'), /skipped 1 record/);
  });

  test('boxes outside the image or with non-positive size → error naming the record; clipBoxes clips/drops and counts', async () => {
    const root = fixture(writeCocoFixture);
    const file = join(root, 'annotations', 'instances_val2017.json');
    const j = JSON.parse(readFileSync(file, 'utf8'));
    j.annotations[0].bbox = [50, 30, 20, 20]; // image 139 is 60×40
    j.annotations[2].bbox = [1, 2, 0, 5]; // zero width
    writeFileSync(file, JSON.stringify(j));
    await assert.rejects(loadCoco(root, quiet), /annotation id 1768 \(image 139\): box \[50, 30, 70, 50\] \(xyxy\) lies outside the 60×40 image/);
    j.annotations[0].bbox = [10, 10, 5, 5];
    writeFileSync(file, JSON.stringify(j));
    await assert.rejects(loadCoco(root, quiet), /annotation id 42 \(image 285\): box \[1, 2, 1, 7\] \(xyxy\) has non-positive size/);
    j.annotations[0].bbox = [50, 30, 20, 20];
    j.annotations[1].bbox = [0, 0, 60.5, 40]; // within the 1 px tolerance: clipped and counted, even without clipBoxes
    writeFileSync(file, JSON.stringify(j));
    const warnings: string[] = [];
    const { records, report } = await loadCoco(root, { clipBoxes: true, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(records[0]!.objects.map((o) => o.box), [[50, 30, 60, 40], [0, 0, 60, 40]]);
    assert.equal(records[1]!.objects.length, 0);
    assert.deepEqual([report.clippedBoxes, report.droppedBoxes, report.roundedBoxes], [1, 1, 1]);
    assert.equal(warnings.length, 3);
  });

  test('Flickr30k boxes outside the image name the entity', async () => {
    const root = fixture(writeFlickrFixture);
    const file = join(root, 'Annotations', '1000092795.xml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('<xmax>50</xmax><ymax>40</ymax>', '<xmax>90</xmax><ymax>40</ymax>'));
    await assert.rejects(loadFlickr30k(root, quiet), /1000092795\.xml: entity 1: box .* lies outside the 50×40 image/);
  });
});

describe('loaders never write into the dataset folder; split errors list what exists', () => {
  const cases: [string, (root: string) => void, (root: string) => Promise<unknown>][] = [
    ['coco', writeCocoFixture, (r) => loadCoco(r, quiet)],
    ['refcoco finetune', writeRefcocoFixture, (r) => loadRefcoco(r, quiet)],
    ['refcoco refs', writeRefcocoFixture, (r) => loadRefcoco(r, { ...quiet, form: 'refs' })],
    ['flickr30k', writeFlickrFixture, (r) => loadFlickr30k(r, quiet)],
    ['vg', writeVgFixture, (r) => loadVisualGenome(r, quiet)],
  ];
  for (const [name, write, load] of cases) {
    test(name, async () => {
      const root = fixture(write);
      const before = snapshot(root);
      await load(root);
      assert.equal(snapshot(root), before);
    });
  }

  test('unknown splits', async () => {
    await assert.rejects(loadFlickr30k(fixture(writeFlickrFixture), { split: 'val' }), /split 'val' needs .*val\.txt; available: test/);
    await assert.rejects(loadRefcoco(fixture(writeRefcocoFixture), { split: 'testB' }), /split 'testB' of refcoco not found .*available: testA, val/);
    await assert.rejects(loadRefcoco(fixture(writeRefcocoFixture), { form: 'refs', split: 'testB' }), /split 'testB' not found .*available: testA, val/);
  });

  test('VG: a missing image (no image_data.json to size it) is an error, or skipped and counted', async () => {
    const root = fixture(writeVgFixture);
    rmSync(join(root, 'VG_100K', '1.jpg'));
    await assert.rejects(loadVisualGenome(root, quiet), /1 image file\(s\) missing \(of 2\).*\n.*VG_100K[/\\]1\.jpg/);
    const { records, report } = await loadVisualGenome(root, { ...quiet, skipMissing: true });
    assert.deepEqual([records.map((r) => r.id), report.skippedMissingImages], [['2'], 1]);
  });
});
