/**
 * Peak memory of reading a ~100 MB COCO instances file (a benchmark, not a test):
 *
 *   node --import tsx kernel/src/data/datasets/test_support/json_memory_bench.ts [MB]
 *
 * Generates instances_bench.json (polygon segmentations, like the real file) in a temp folder, then in
 * a fresh process each measures the peak RSS (process.resourceUsage().maxRSS) of:
 *   baseline      node with the loader modules imported, nothing read
 *   JSON.parse    readFileSync + JSON.parse of the whole file (what a naive loader does)
 *   scan only     scanJson over images + annotations, keeping nothing
 *   loadCoco 1k   loadCoco with limit 1000
 *   loadCoco all  loadCoco, every record kept (the records' own size dominates)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = process.argv[2];
if (mode?.startsWith('--child=')) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadCoco, scanJson } = require('../index') as typeof import('../index');
  const root = process.argv[3]!;
  const file = join(root, 'annotations', 'instances_bench.json');
  const what = mode.slice('--child='.length);
  void (async () => {
    const t = performance.now();
    let detail = '';
    if (what === 'parse') detail = `${(JSON.parse(readFileSync(file, 'utf8')) as { annotations: unknown[] }).annotations.length} annotations`;
    else if (what === 'scan') {
      let n = 0;
      scanJson(file, ['images', 'annotations'], () => void n++);
      detail = `${n} elements`;
    } else if (what === 'load1k' || what === 'loadall') {
      const r = await loadCoco(root, { checkImages: false, limit: what === 'load1k' ? 1000 : undefined });
      detail = `${r.records.length} records, ${r.records.reduce((n, x) => n + x.objects.length, 0)} objects`;
    }
    const rss = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(JSON.stringify({ what, peakRssMB: Math.round(rss), seconds: +((performance.now() - t) / 1000).toFixed(2), detail }));
  })();
} else {
  const targetMB = Number(mode ?? 100);
  const root = mkdtempSync(join(tmpdir(), 'alignscope-bench-'));
  const file = join(root, 'annotations', 'instances_bench.json');
  execFileSync('mkdir', ['-p', join(root, 'annotations')]);
  const images: unknown[] = [];
  const annotations: string[] = [];
  let bytes = 0;
  let id = 0;
  for (let img = 1; bytes < targetMB * 1e6; img++) {
    images.push({ license: 1, file_name: `${String(img).padStart(12, '0')}.jpg`, height: 480, width: 640, id: img });
    for (let k = 0; k < 7; k++) {
      const poly = Array.from({ length: 40 }, (_, i) => +(100 + 80 * Math.sin(i + k) + (i % 2 ? 0 : 200)).toFixed(2));
      const a = JSON.stringify({ segmentation: [poly], area: 1234.5 + k, iscrowd: 0, image_id: img, bbox: [10.5, 20.25, 100 + k, 50], category_id: [1, 18, 90][k % 3], id: ++id });
      annotations.push(a);
      bytes += a.length + 1;
    }
  }
  writeFileSync(file, `{"info":{},"licenses":[],"images":${JSON.stringify(images)},"annotations":[${annotations.join(',')}],"categories":[{"id":1,"name":"person"},{"id":18,"name":"dog"},{"id":90,"name":"toothbrush"}]}`);
  annotations.length = 0;
  const sizeMB = statSync(file).size / 1e6;
  process.stdout.write(`file: ${sizeMB.toFixed(1)} MB, ${images.length} images, ${id} annotations\n`);
  for (const what of ['baseline', 'parse', 'scan', 'load1k', 'loadall']) {
    const out = execFileSync(process.execPath, [...process.execArgv, __filename, `--child=${what}`, root], { encoding: 'utf8' });
    const r = JSON.parse(out) as { peakRssMB: number };
    process.stdout.write(`${out}  (${(r.peakRssMB / sizeMB).toFixed(2)}× file size)\n`);
  }
  rmSync(root, { recursive: true, force: true });
}
