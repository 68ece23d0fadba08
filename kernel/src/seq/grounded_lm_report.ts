/**
 * The HTML report section of a grounded-LM ablation: oracle table, per-arm results (mean ± sd over
 * seeds), stage 0's contribution, targets, and pictures of test scenes with ground-truth boxes (green)
 * vs detected boxes (red) and REC boxes (cyan). Labels are escaped; images are inline PNG data URIs.
 */
import { encodePng } from '../data/png_encode';
import { drawBox, renderScenePreview } from '../data/scene_preview';
import type { BoxXYXY } from '../data/scene_types';
import type { AblationSummary } from './grounded_lm_ablation';
import type { GroundedLMConfig } from './grounded_lm_config';
import type { ArmResult } from './grounded_lm_run';
import type { OracleReport } from './codec_oracle';
import type { LineIRecResult } from './line_i_rec_baseline';
import type { SceneSource } from './scene_pool';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : String(x));
const ms = (s: { mean: number; sd: number; values: number[] } | undefined): string => (s ? `${f3(s.mean)} ± ${f3(s.sd)} <small>[${s.values.map(f3).join(', ')}]</small>` : '—');

function table(head: string[], rows: string[][]): string {
  return `<table border="1" cellpadding="4" style="border-collapse:collapse"><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

function scenePicture(data: Pick<SceneSource, 'getScene'>, r: ArmResult, k: number): string {
  const im = r.examples.images[k]!;
  const [split, idx] = im.record.split('#') as ['test', string];
  const scene = data.getScene(split, Number(idx));
  const scale = 4;
  const img = renderScenePreview(scene, { scale });
  const up = (b: readonly number[]): BoxXYXY => b.map((v) => v * scale) as BoxXYXY;
  im.truthBoxes.forEach((b) => drawBox(img, up(b), [60, 220, 60]));
  im.objects.forEach((o) => drawBox(img, up(o.box), [240, 50, 50]));
  const recs = r.examples.rec.filter((x) => x.id === im.record);
  recs.slice(0, 1).forEach((x) => x.predicted && drawBox(img, up(x.predicted), [60, 220, 240]));
  const png = Buffer.from(encodePng(img.pixels, img.width, img.height)).toString('base64');
  const expr = scene.referringExpressions[0]?.text ?? '';
  const caption = `${esc(im.record)}: detected ${esc(im.objects.map((o) => `${o.name} (${o.score.toFixed(2)})`).join(', ') || 'nothing')}; listed ${esc(im.listedNames.join(' ') || '—')}; REC “${esc(expr)}”`;
  return `<figure style="display:inline-block;width:270px;vertical-align:top;margin:4px"><img src="data:image/png;base64,${png}" width="256" height="256"/><figcaption style="font-size:11px">${caption}</figcaption></figure>`;
}

export function groundedLMReport(
  name: string,
  cfg: GroundedLMConfig,
  results: readonly ArmResult[],
  oracles: Record<string, OracleReport>,
  summary: AblationSummary,
  data: Pick<SceneSource, 'getScene'>,
  backend: string,
  lineI: LineIRecResult | null = null,
): string {
  const oracleRows = Object.values(oracles).map((o) => [esc(o.codec), f3(o.metrics.rec.accuracy), f3(o.metrics.detection.AP), f3(o.meanIoU), f3(o.meanAbsError), f3(o.maxAbsError), String(o.metrics.rec.n)]);
  const armRows = Object.entries(summary.arms).map(([arm, a]) => [
    esc(arm),
    ms(a.metrics.recAcc),
    ms(a.metrics.AP),
    ms(a.metrics.AP50),
    ms(a.metrics.nameMicroF1),
    ms(a.metrics.nameMacroF1),
    ms(a.metrics.detNameMicroF1),
    a.metrics.checklistNameMicroF1!.values.some(Number.isFinite) ? ms(a.metrics.checklistNameMicroF1) : '—',
    ms(a.metrics.captionExact),
    ms(a.metrics.recParseFailures),
    ms(a.metrics.recWrongObject),
    ms(a.metrics.recImprecise),
    f3(100 * a.oracleRecGap),
    ms(a.metrics.trainSeconds),
    ms(a.metrics.trainCpuSeconds),
  ]);
  const groups = [...new Set(results.flatMap((r) => Object.keys(r.metrics.rec.byGroup ?? {})))].sort();
  const groupRows = results.map((r) => [esc(r.arm.name), String(r.seed), ...groups.map((g) => {
    const x = r.metrics.rec.byGroup?.[g];
    return x ? `${f3(x.accuracy)} (${x.n})` : '–';
  })]);
  const lookRows = results.flatMap((r) => {
    const looks = r.recAttention;
    if (!looks) return []; // results of runs made before it was measured
    return Object.entries(looks.box).map(([g, m]) => {
      const f = looks.firstCoordinate[g]!;
      return [esc(r.arm.name), String(r.seed), esc(g), String(m.n), f3(m.target), f3(m.sameName), f3(m.otherObjects), f3(m.background), f3(m.text), f3(f.target), f3(f.sameName)];
    });
  });
  const onTargetRows = results.filter((r) => r.recAttention?.onTarget).map((r) => [esc(r.arm.name), String(r.seed), String(r.recAttention.onTarget.n), f3(r.recAttention.onTarget.accuracy)]);
  const c = summary.stage0Contribution;
  const pictures = results
    .filter((r) => r.seed === 0)
    .map((r) => `<h4>${esc(r.arm.name)}, seed 0</h4>${r.examples.images.map((_, k) => scenePicture(data, r, k)).join('')}`)
    .join('');
  return `<section id="grounded-lm-${esc(name)}">
<h2>Seed line (ii): grounded LM — ${esc(name)}</h2>
<p>Backend ${esc(backend)}. Timings are wall-clock on 2 CPU cores shared with other jobs: pessimistic.
Stage 0: ${cfg.stage0.steps} steps × ${cfg.stage0.batchSize} texts. Stage 1: ${cfg.stage1.steps} steps × ${cfg.stage1.batchSize} sequences,
task weights ${esc(JSON.stringify(cfg.stage1.taskWeights))}, random order ${cfg.stage1.randomOrder}, noise boxes ${cfg.stage1.noiseBoxes}.
Model: width ${cfg.model.width}, LM depth ${cfg.model.lmDepth}, ViT depth ${cfg.model.encoderDepth}, patch ${cfg.model.patchSize}.
Evaluation: ${cfg.eval.count} test scenes, ${esc(cfg.eval.decoder)} decoding, ${cfg.eval.constrained ? 'grammar-constrained' : 'unconstrained'}, confidence = ${esc(cfg.eval.confidence)};
REC Acc@0.5 with ${cfg.eval.strict ? '&gt;' : '≥'} and ${esc(cfg.eval.measure)}; a parse failure is a miss.</p>
<h3>Codec oracles (encode → decode the ground truth)</h3>
${table(['codec', 'REC Acc@0.5', 'mAP', 'mean IoU', 'mean |error| px', 'max |error| px', 'N expressions'], oracleRows)}
<h3>Results (mean ± sd over seeds [per seed])</h3>
${table(['arm', 'REC Acc@0.5', 'mAP', 'AP50', 'names micro-F1', 'names macro-F1', 'names from detection micro-F1', 'names from checklist micro-F1', 'caption exact', 'REC parse failures', 'REC: another object’s box', 'REC: box fits no object', 'gap to oracle REC (points)', 'train wall s', 'train CPU s'], armRows)}
<h3>REC Acc@0.5 by expression group (N): kind; attributes+k = k size or colour words besides the name</h3>
${groups.length ? table(['arm', 'seed', ...groups], groupRows) : '<p>no groups (the expressions carry none)</p>'}
<h3>Where the model looks while writing a REC box: attention mass of head 0 of the LM's last layer (teacher-forced; mean over the box tokens, and at the first coordinate)</h3>
${lookRows.length ? table(['arm', 'seed', 'group', 'N', 'target object', 'other objects of its name', 'other objects', 'background', 'text', 'first coordinate: target', 'first coordinate: others of its name'], lookRows) : '<p>not measured</p>'}
${onTargetRows.length ? `<p>REC Acc@0.5 of the expressions on whose object the head puts ≥ 0.95 of its mass over the box (the box read-out once the lookup is right):</p>${table(['arm', 'seed', 'N', 'REC Acc@0.5'], onTargetRows)}` : ''}
<h3>Stage-0 (text-only pretraining) contribution, codec ${esc(c?.codec ?? '')}: pretrained − scratch, paired by seed</h3>
${c ? table(['metric', 'difference'], [['REC Acc@0.5', ms(c.recAcc)], ['names micro-F1', ms(c.nameMicroF1)], ['mAP', ms(c.AP)]]) : '<p>not available</p>'}
<h3>Targets</h3>
${table(['target', 'value', 'wanted', 'met'], summary.targets.map((t) => [esc(t.name), f3(t.value), esc(t.target), t.pass ? 'yes' : '<b>no</b>']))}
<h3>Line (i) zero-shot REC baseline (same test expressions)</h3>
${lineI
    ? `<p>OT dual encoder trained ${lineI.steps} steps on captions (${f3(lineI.trainSeconds)} s); box = the ground-truth object whose box holds most of the expression's plan mass:
REC Acc@0.5 = <b>${f3(lineI.accuracy)}</b> on ${lineI.n} expressions (it chooses among true boxes, so it needs no box regression;
picking a random object of the scene scores ${f3(lineI.chance)}).</p>`
    : '<p><b>TODO(line-i-ot-rec-baseline)</b>: not run (lineIBaseline.steps = 0).</p>'}
<h3>Test scenes: ground truth (green), detections (red), first REC expression's prediction (cyan)</h3>
${pictures}
</section>
`;
}
