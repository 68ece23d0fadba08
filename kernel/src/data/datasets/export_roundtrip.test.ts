import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { scenesCommand } from '../../cli/scenes_command';
import { groundingScores, recAccuracy, retrievalRecall, type GroundingItem } from '../../evaluate';
import { GroundedScenes } from '../grounded_scenes';
import { readImage } from '../images/image_loader';
import type { RgbImage } from '../scene_preview';
import { COLOURS, COLOUR_RGB } from '../scene_vocabulary';
import type { DatasetRecord, ImageRef } from './dataset_record';
import { loadDataSource, parseDataSources } from './data_sources';
import { expressionRows, retrievalPairs, splitWords, wordTargets } from './evaluation_rows';
import { projectRecord, type ProjectionForm } from './format_projection';
import { sceneToRecord } from './scene_to_record';

const N = 16;
const SEED = 5;
const scenes = new GroundedScenes({ seed: SEED }).getScenes('test', 0, N);
const inMemory = scenes.map(sceneToRecord);
const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const FORMS: { form: ProjectionForm; format: string; data: (dir: string) => string }[] = [
  { form: 'coco', format: 'coco', data: (d) => `coco:${d}` },
  { form: 'refcoco', format: 'refcoco', data: (d) => `refcoco:${d}?form=finetune` },
  { form: 'refcoco-refs', format: 'refcoco', data: (d) => `refcoco:${d}?form=refs` },
  { form: 'flickr30k', format: 'flickr30k', data: (d) => `flickr30k:${d}` },
  { form: 'vg', format: 'vg', data: (d) => `vg:${d}?split=test` },
];

const exported = new Map<string, string>();
async function exportedDir(format: string): Promise<string> {
  if (!exported.has(format)) {
    const dir = mkdtempSync(join(tmpdir(), `alignscope-export-${format}-`));
    roots.push(dir);
    let printed = '';
    const args = ['export', '--format', format, '--out', dir, '--split', 'test', '--limit', String(N), '--seed', String(SEED)];
    assert.equal(await scenesCommand(args, (t) => void (printed += t)), 0);
    assert.match(printed, new RegExp(`wrote ${N} scenes \\(test\\) as ${format}`));
    exported.set(format, dir);
  }
  return exported.get(format)!;
}

async function loadBack(f: (typeof FORMS)[number]): Promise<DatasetRecord[]> {
  const [source] = parseDataSources(f.data(await exportedDir(f.format)));
  return (await loadDataSource(source!, { onWarning: (m) => assert.fail(`unexpected warning: ${m}`) })).records;
}

const noImage = (r: DatasetRecord) => ({ ...r, image: null });

// ---- a deterministic "colour oracle" model: it reads pixels and words, so equal numbers need equal images and texts
const isColour = (w: string): w is (typeof COLOURS)[number] => (COLOURS as readonly string[]).includes(w);
function colourMask(img: RgbImage, colour: string | null): Uint8Array {
  const out = new Uint8Array(img.width * img.height);
  for (let i = 0; i < out.length; i++) {
    const p = [0, 1, 2].map((k) => img.pixels[3 * i + k]! / 255);
    const near = (rgb: readonly number[]) => Math.hypot(p[0]! - rgb[0]!, p[1]! - rgb[1]!, p[2]! - rgb[2]!) < 0.3;
    out[i] = colour && isColour(colour) ? (near(COLOUR_RGB[colour]) ? 1 : 0) : Math.max(...p) > 0.45 ? 1 : 0;
  }
  return out;
}
const images = async (rs: DatasetRecord[]) => Promise.all(rs.map((r) => readImage(r.image as ImageRef, r)));

async function retrievalOf(rs: DatasetRecord[]) {
  const pairs = retrievalPairs(rs);
  const imgs = await images(rs);
  const hist = imgs.map((img) => COLOURS.map((c) => colourMask(img, c).reduce((a, b) => a + b, 0) / (img.width * img.height)));
  const scores = hist.map((h) => pairs.texts.map((t) => splitWords(t).reduce((s, w) => s + (isColour(w.word) ? h[COLOURS.indexOf(w.word)]! : 0), 0)));
  return retrievalRecall(scores, pairs.textToImage);
}

async function groundingOf(rs: DatasetRecord[]) {
  const imgs = await images(rs);
  const grid = { imageWidth: 64, imageHeight: 64, rows: 8, cols: 8 };
  const items: GroundingItem[] = wordTargets(rs).map((t) => {
    const img = imgs[t.record]!;
    const mask = colourMask(img, t.text);
    const column = Array.from({ length: 64 }, (_, p) => {
      let s = 0;
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) s += mask[(Math.floor(p / 8) * 8 + y) * 64 + (p % 8) * 8 + x]!;
      return s + 1e-3;
    });
    return { column, box: t.boxes[0]!, word: t.text, category: isColour(t.text) ? 'colour' : 'other' };
  });
  return groundingScores(items, grid);
}

async function recOf(rs: DatasetRecord[]) {
  const imgs = await images(rs);
  return recAccuracy(
    expressionRows(rs).map((row) => {
      const img = imgs[row.record]!;
      const colour = splitWords(row.text).find((w) => isColour(w.word))?.word ?? null;
      const mask = colourMask(img, colour);
      let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
      mask.forEach((v, i) => {
        if (!v) return;
        const x = i % img.width;
        const y = Math.floor(i / img.width);
        [x1, y1, x2, y2] = [Math.min(x1, x), Math.min(y1, y), Math.max(x2, x + 1), Math.max(y2, y + 1)];
      });
      return { id: row.id, truth: row.truth, predicted: x2 > x1 ? [x1, y1, x2, y2] : null };
    }),
  );
}

describe('scenes export → loaders round trip', () => {
  for (const f of FORMS) {
    test(`${f.form}: the loader gives back exactly what the format carries, and the same pixels`, async () => {
      const loaded = await loadBack(f);
      assert.deepEqual(loaded.map(noImage), inMemory.map((r) => noImage(projectRecord(r, f.form))));
      const a = await images(loaded.slice(0, 3));
      const b = await images(inMemory.slice(0, 3));
      a.forEach((img, i) => assert.deepEqual(img, b[i]));
    });
  }

  test('the scene records carry the scenes\' own ground truth (caption words → boxes, expressions → targets)', () => {
    const targets = wordTargets(inMemory);
    const expected = scenes.flatMap((s, i) =>
      s.caption.words.flatMap((w, k) => (s.caption.wordObject[k]! >= 0 ? [{ record: i, caption: 0, word: k, text: w, boxes: [s.objects[s.caption.wordObject[k]!]!.box] }] : [])),
    );
    assert.deepEqual(targets, expected);
    assert.deepEqual(expressionRows(inMemory).map((r) => r.truth), scenes.flatMap((s) => s.referringExpressions.map((e) => s.objects[e.target]!.box)));
  });
});

describe('evaluation gives the same numbers on exported data as on the in-memory scenes', () => {
  test('retrieval R@K (COCO captions, Flickr30k captions)', async () => {
    const mem = await retrievalOf(inMemory);
    assert.ok(mem.t2i[10]! > 0.3, `the oracle should retrieve something: R@10 = ${mem.t2i[10]}`);
    for (const f of FORMS.filter((x) => x.form === 'coco' || x.form === 'flickr30k')) assert.deepEqual(await retrievalOf(await loadBack(f)), mem, f.form);
  });

  test('grounding: pointing hit@1 and mass-in-box (Flickr30k phrases)', async () => {
    const mem = await groundingOf(inMemory);
    assert.ok(mem.n > N && mem.byCategory.colour!.hitAt1 > 0.5, `hit@1 of colour words ${mem.byCategory.colour?.hitAt1}`);
    assert.deepEqual(await groundingOf(await loadBack(FORMS.find((x) => x.form === 'flickr30k')!)), mem);
  });

  test('REC Acc@0.5, one row per expression (RefCOCO finetune and refs forms)', async () => {
    for (const f of FORMS.filter((x) => x.format === 'refcoco')) {
      const loaded = await loadBack(f);
      const mem = await recOf(inMemory.map((r) => projectRecord(r, f.form)));
      assert.equal(mem.n, scenes.reduce((n, s) => n + s.referringExpressions.length, 0));
      assert.ok(mem.correct > 0);
      assert.deepEqual(await recOf(loaded), mem, f.form);
    }
  });
});
