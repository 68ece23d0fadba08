/**
 * The notebook renderer (media/) in headless Chromium: Debian's `chromium` driven by playwright-core
 * (never a downloaded browser). The test builds media/dist/renderer.js itself, serves it with a tiny
 * harness page through request interception (no server, no network), and renders payloads made by
 * the kernel's show/ builders, as VS Code would: `activate().renderOutputItem(outputItem, element)`.
 *
 * Without chromium the tests skip with the reason (scripts/setup/20-chromium.sh installs it); under
 * CI=true a missing chromium is a failure.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { initBackend } from '../../kernel/src/backend';
import { buildAlignmentBundle } from '../../kernel/src/show/alignment';
import { DISPLAY_MIME } from '../../kernel/src/show/display_schema';
import { alignmentBundle, boxesBundle, curvesBundle, EVIL, payload, planBundle, progressBundle, sceneTensor, tableBundle } from './fixtures';

const ROOT = join(__dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
const ORIGIN = 'http://alignscope.test';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const missing = existsSync(CHROMIUM) ? undefined : `Debian chromium not found at ${CHROMIUM} (scripts/setup/20-chromium.sh installs it)`;
if (missing && process.env.CI === 'true') throw new Error(`renderer tests: ${missing}; under CI=true this is a failure.`);

const HARNESS = `<!doctype html>
<html><head><meta charset="utf-8"><title>alignscope renderer harness</title></head>
<body style="width: 900px; margin: 8px; background: #fff">
<script type="module">
  import { activate } from './renderer.js';
  const renderer = activate({});
  // Mimics VS Code: an OutputItem whose json() parses the item's bytes (so a kernel that sent the JSON
  // MIME item as a string yields a string), and a fresh element per output.
  window.renderOutput = (id, text) => {
    const element = document.createElement('div');
    element.id = id;
    document.body.append(element);
    return renderer.renderOutputItem({ id, mime: '${DISPLAY_MIME}', text: () => text, json: () => JSON.parse(text) }, element);
  };
  window.updateOutput = (id, text) =>
    renderer.renderOutputItem({ id, mime: '${DISPLAY_MIME}', text: () => text, json: () => JSON.parse(text) }, document.getElementById(id));
  window.disposeOutput = (id) => renderer.disposeOutputItem(id);
  window.harnessReady = true;
</script>
</body></html>`;

/**
 * What the page.evaluate callbacks use in the browser. tsconfig.tests.json has no DOM lib, so the
 * callbacks reach the page through `globalThis as unknown as Page` with these minimal types.
 */
interface PageElement {
  textContent: string | null;
  style: { width: string };
  marker?: number;
  _fullLayout?: { xaxis: { range: number[] } };
}
interface PageGlobals {
  document: { querySelector(selector: string): PageElement | null; getElementById(id: string): PageElement | null };
  getComputedStyle(element: unknown): { stroke: string };
  renderOutput(id: string, text: string): Promise<void>;
  updateOutput(id: string, text: string): Promise<void>;
  disposeOutput(id: string): void;
  harnessReady?: boolean;
}

describe('notebook renderer in headless Chromium', { skip: missing }, () => {
  let browser: Browser;
  let page: Page;
  let image: tf.Tensor3D;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    execFileSync(process.execPath, [join(ROOT, 'media', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    const bundle = readFileSync(join(ROOT, 'media', 'dist', 'renderer.js'));
    await initBackend({ backend: 'wasm', log: null });
    image = sceneTensor();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    page = await browser.newPage({ viewport: { width: 940, height: 900 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: HARNESS });
      if (path === '/renderer.js') return route.fulfill({ contentType: 'text/javascript', body: bundle });
      return route.fulfill({ status: 404, body: 'not found' });
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).harnessReady === true, undefined, { timeout: 30_000 }).catch((e: Error) => {
      throw new Error(`the renderer bundle did not load: ${pageErrors.join('; ') || e.message}`);
    });
  });

  after(async () => {
    image?.dispose();
    await browser?.close();
  });

  /** Renders `value` (serialised as the output item's bytes) into a new element; waits for the done signal. */
  async function renderOutput(id: string, value: unknown, raw = false): Promise<void> {
    const text = raw ? String(value) : JSON.stringify(value);
    await page.evaluate(([i, t]) => (globalThis as unknown as PageGlobals).renderOutput(i, t), [id, text] as const);
    await page.waitForSelector(`#${id}[data-rendered="true"]`, { timeout: 30_000 });
  }

  const count = (selector: string) => page.locator(selector).count();

  test('alignment: heatmap with hover data, image overlay, token selection; screenshot', async () => {
    await renderOutput('alignment', payload(alignmentBundle(image)));
    assert.equal(await page.getAttribute('#alignment', 'data-kind'), 'alignment');
    assert.equal(await count('#alignment .alignscope-heatmap svg.main-svg'), 3);
    assert.equal(await count('#alignment .alignscope-overlay svg.main-svg'), 3);
    assert.equal(await count('#alignment .alignscope-heatmap g.hm image'), 1, 'the tokens × patches heatmap');
    assert.equal(await count('#alignment .alignscope-overlay g.hm image'), 1, 'the overlay heatmap on the image');
    const ticks = await page.locator('#alignment .alignscope-heatmap .ytick text').allTextContents();
    assert.deepEqual(ticks, ['a', 'red', 'square', 'and', 'a', 'blue', 'disc'], 'duplicate tokens keep their own rows');
    // Hover over the cell (token 'red', patch 5 = row 1, col 1): plotly's hover label names both.
    const box = await page.locator('#alignment .alignscope-heatmap .nsewdrag').boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + (5.5 / 16) * box.width, box.y + (1.5 / 7) * box.height);
    await page.waitForSelector('#alignment .alignscope-heatmap .hoverlayer .hovertext', { timeout: 10_000 });
    const hover = await page.textContent('#alignment .alignscope-heatmap .hoverlayer .hovertext');
    assert.match(hover ?? '', /token red.*patch 5 \(row 1, col 1\).*cosine 0\.8/);
    await page.mouse.move(0, 0);
    assert.equal(await page.getAttribute('#alignment .alignscope-token[data-token="1"]', 'aria-pressed'), 'true');
    assert.equal(await page.textContent('#alignment .alignscope-overlay .gtitle'), 'red');
    await page.click('#alignment .alignscope-token[data-token="5"]');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('#alignment .alignscope-overlay .gtitle')?.textContent === 'blue');
    assert.equal(await page.getAttribute('#alignment .alignscope-token[data-token="5"]', 'aria-pressed'), 'true');
    mkdirSync(join(ROOT, 'artifacts'), { recursive: true });
    await page.locator('#alignment').screenshot({ path: join(ROOT, 'artifacts', 'renderer-alignment.png') });
  });

  test('plan: labelled heatmap', async () => {
    await renderOutput('plan', payload(planBundle()));
    assert.equal(await count('#plan svg.main-svg'), 3);
    assert.equal(await count('#plan g.hm image'), 1);
    assert.deepEqual(await page.locator('#plan .ytick text').allTextContents(), ['p0', 'p1', 'p2']);
    assert.deepEqual(await page.locator('#plan .xtick text').allTextContents(), ['red', 'blue']);
    assert.equal(await page.textContent('#plan .gtitle'), 'transport plan');
  });

  test('raw RGB images (no PNG) are drawn too', async () => {
    const bundle = buildAlignmentBundle({ tokens: ['red', 'disc'], matrix: [[1, 0, 0, 0], [0, 0, 0, 1]], image, grid: 2, imageEncoding: 'rgb' });
    assert.equal((payload(bundle) as { image?: { encoding: string } }).image?.encoding, 'rgb');
    await renderOutput('raw-rgb', payload(bundle));
    const href = await page.locator('#raw-rgb .alignscope-overlay g.imagelayer image, #raw-rgb .alignscope-overlay image').first().getAttribute('href');
    assert.match(href ?? '', /^data:image\/png;base64,/);
  });

  test('curves: live update redraws in place on the same plot (Plotly.react)', async () => {
    await renderOutput('curves', payload(curvesBundle(5)));
    assert.equal(await count('#curves svg.main-svg'), 3);
    assert.equal(await count('#curves g.scatterlayer .trace'), 2);
    await page.evaluate(() => (((globalThis as unknown as PageGlobals).document.querySelector('#curves .js-plotly-plot') as PageElement).marker = 7));
    await page.evaluate(([t]) => (globalThis as unknown as PageGlobals).updateOutput('curves', t), [JSON.stringify(payload(curvesBundle(60)))] as const);
    await page.waitForSelector('#curves[data-rendered="true"]');
    const kept = await page.evaluate(() => ((globalThis as unknown as PageGlobals).document.querySelector('#curves .js-plotly-plot') as PageElement).marker);
    assert.equal(kept, 7, 'the same plot element is reused across updates');
    const xmax = await page.evaluate(() => ((globalThis as unknown as PageGlobals).document.querySelector('#curves .js-plotly-plot') as PageElement)._fullLayout!.xaxis.range[1]);
    assert.ok(xmax > 50, `x axis follows the new data (range end ${xmax})`);
  });

  test('boxes: image with ground-truth and predicted boxes coloured by hit/miss', async () => {
    const bundle = boxesBundle(image);
    await renderOutput('boxes', payload(bundle));
    assert.equal(await count('#boxes svg.main-svg'), 3);
    assert.equal(await count('#boxes .shapelayer path'), 4, '2 ground-truth + 2 predicted boxes');
    const legend = await page.locator('#boxes .alignscope-legend li').allTextContents();
    assert.equal(legend.length, 4);
    assert.ok(legend[2].includes('hit') && legend[3].includes('miss'), legend.join(' | '));
    const strokes = await page.locator('#boxes .shapelayer path').evaluateAll((ps) => ps.map((p) => (globalThis as unknown as PageGlobals).getComputedStyle(p).stroke));
    assert.deepEqual(strokes, ['rgb(255, 212, 0)', 'rgb(255, 212, 0)', 'rgb(46, 204, 64)', 'rgb(255, 65, 54)']);
  });

  test('table: DOM table from a payload sent as a JSON string', async () => {
    // A kernel that sends JSON MIME items as strings (tslab does): json() returns the string.
    await renderOutput('table', JSON.stringify(payload(tableBundle())));
    assert.equal(await page.textContent('#table caption'), 'retrieval and pointing');
    assert.deepEqual(await page.locator('#table th').allTextContents(), ['method', 'R@1', 'hit@1']);
    assert.deepEqual(await page.locator('#table tbody tr:nth-child(2) td').allTextContents(), ['OT (ours)', '0.468', '0.74']);
  });

  test('progress: a bar updated in place', async () => {
    await renderOutput('progress', payload(progressBundle(50)));
    const width = () => page.evaluate(() => ((globalThis as unknown as PageGlobals).document.querySelector('#progress .alignscope-fill') as PageElement).style.width);
    assert.equal(await width(), '25%');
    assert.match((await page.textContent('#progress .alignscope-progress-label')) ?? '', /training\s+50\/200 \(25%\).*ETA 42s.*loss 0\.314/);
    await page.evaluate(([t]) => (globalThis as unknown as PageGlobals).updateOutput('progress', t), [JSON.stringify(payload(progressBundle(150)))] as const);
    assert.equal(await width(), '75%');
    assert.equal(await count('#progress .alignscope-bar'), 1);
  });

  test('malformed payloads show a visible error box with the reason', async () => {
    await renderOutput('bad-json', '{"kind": "plan", ', true);
    const bad = payload(planBundle()) as unknown as { matrix: number[][] };
    bad.matrix[1] = [0.1];
    await renderOutput('bad-field', bad);
    await renderOutput('bad-kind', { kind: 'sankey', version: 1 });
    for (const [id, reason] of [
      ['bad-json', /not JSON/],
      ['bad-field', /plan\.matrix\[1\]: expected 2 cells, got 1/],
      ['bad-kind', /payload\.kind: expected alignment \| plan/],
    ] as const) {
      assert.equal(await page.getAttribute(`#${id}`, 'data-kind'), 'error');
      assert.ok(await page.isVisible(`#${id} .alignscope-error[role="alert"]`), `${id}: error box visible`);
      assert.match((await page.textContent(`#${id} .alignscope-error pre`)) ?? '', reason);
    }
  });

  test('labels render as text, never HTML (no element created, no script run)', async () => {
    const evil = (id: string, value: unknown) => renderOutput(id, value);
    await evil('evil-alignment', payload(alignmentBundle(image, ['a', EVIL, 'disc'])));
    await evil('evil-plan', payload(planBundle([EVIL, 'p1', 'p2'], ['red', EVIL])));
    await evil('evil-curves', payload(curvesBundle(4, [EVIL, 'val'])));
    await evil('evil-boxes', payload(boxesBundle(image, EVIL)));
    await evil('evil-table', payload(tableBundle(EVIL)));
    await evil('evil-progress', payload(progressBundle(3, EVIL)));
    await evil('evil-error', { kind: 'table', version: 1, columns: ['a'], rows: [[{}]], caption: EVIL });
    await page.waitForTimeout(300); // an onerror handler would have fired by now
    assert.equal(await count('img'), 0, 'no <img> element anywhere in the page');
    assert.deepEqual(dialogs, [], 'no alert dialog');
    for (const id of ['evil-alignment', 'evil-plan', 'evil-curves', 'evil-boxes', 'evil-table', 'evil-progress']) {
      const text = await page.evaluate((i) => (globalThis as unknown as PageGlobals).document.getElementById(i)?.textContent ?? '', id);
      assert.ok(text.includes(EVIL), `${id}: the label is shown literally`);
    }
    assert.ok((await page.locator('#evil-alignment .ytick text').allTextContents()).includes(EVIL));
    assert.equal(await page.textContent('#evil-alignment .alignscope-token[data-token="1"]'), EVIL);
  });

  test('disposeOutputItem purges the plotly figures', async () => {
    await renderOutput('disposable', payload(planBundle()));
    assert.equal(await count('#disposable .js-plotly-plot'), 1);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).disposeOutput('disposable'));
    assert.equal(await count('#disposable *'), 0);
    assert.equal(await page.getAttribute('#disposable', 'data-rendered'), null);
  });

  test('no page errors; a full-page screenshot of every kind for people to look at', async () => {
    assert.deepEqual(pageErrors, []);
    await page.screenshot({ path: join(ROOT, 'artifacts', 'renderer-all.png'), fullPage: true });
  });
});
