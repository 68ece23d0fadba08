/**
 * How well a finished grounded-lm run reads boxes out, measured from its checkpoint on the test scenes:
 *
 *  1. imageTokens — the ceiling the image tokens allow: the run's patch-box head (patch_boxes.ts; needs
 *     `stage1.patchBoxWeight` > 0) decodes every object from its own patches (the log-probabilities of
 *     its patches summed per coordinate, then the argmax): the share of objects whose decoded box has
 *     IoU ≥ 0.5 with the truth, the same per single patch, and the mean error per coordinate in bins.
 *  2. answers — the LM's own read-out, teacher-forced (the true earlier coordinates given) on the REC
 *     expressions on whose object the supervised head puts ≥ 0.95 of its attention (rec_attention.ts):
 *     per coordinate x1 y1 x2 y2, the share whose argmax bin is exact / within 1 / within 2 bins, and the
 *     mean error in bins.
 *
 *   node --import tsx bench/probes/box_readout_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../kernel/src/backend';
import { newBoxWarnings } from '../../kernel/src/seq/box_check';
import { boxIoU } from '../../kernel/src/evaluate/box_iou';
import { coordinateRows } from '../../kernel/src/seq/patch_boxes';
import { patchOwners } from '../../kernel/src/seq/patch_labels';
import { recAttentionMass } from '../../kernel/src/seq/rec_attention';
import { ScenePool } from '../../kernel/src/seq/scene_pool';
import { exampleRows } from '../../kernel/src/seq/sequence_batch';
import { taskTemplate } from '../../kernel/src/seq/task_templates';
import { loadRunHeads } from './load_run';
import { probeArgs } from './probe_args';

const CHUNK = 25;
const LOOKS = 0.95;

async function main(): Promise<void> {
  const a = probeArgs('box_readout_probe');
  if (!a.run) throw new Error('box_readout_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  await initBackend({ log: null });
  const { model, tok, codec, pool, heads, headVariables, cfg } = await loadRunHeads('box_readout_probe', a.run, arm, seed);
  if (!heads.box) throw new Error(`box_readout_probe: the run trained no patch-box head (stage1.patchBoxWeight = 0).`);
  const boxHead = heads.box;
  const rows = coordinateRows(tok, codec);
  const N = rows.count;
  const L = boxHead.tokens;
  const d = model.lm.config.width;
  const grid = Math.round(Math.sqrt(model.numPrefix));
  const P = grid * grid;
  const count = cfg.eval.count;
  const policy = { clipBoxes: cfg.clipBoxes };
  const codeOf = new Map(codec.tokens.map((t, k) => [t, k]));
  const image = { objects: 0, objectHits: 0, patches: 0, patchHits: 0, error: new Array<number>(L).fill(0) };
  const looks = recAttentionMass(model, tok, codec, pool, { split: 'test', count, chunk: 50, policy }, newBoxWarnings());
  const answers = { n: 0, exact: new Array<number>(L).fill(0), within1: new Array<number>(L).fill(0), within2: new Array<number>(L).fill(0), error: new Array<number>(L).fill(0) };
  const ctx = { codec, policy, warnings: newBoxWarnings(), randomOrder: false, noiseBoxes: 0 };
  const argmax = (v: readonly number[]) => v.indexOf(Math.max(...v));
  let expression = 0;
  for (let start = 0; start < count; start += CHUNK) {
    const scenes = Array.from({ length: Math.min(CHUNK, count - start) }, (_, i) => pool.get('test', start + i));
    const [W, H] = [scenes[0]!.width, scenes[0]!.height];
    const items = scenes.flatMap((s, k) => taskTemplate('rec').build(s, ctx).map((ex) => ({ ex, scene: k })));
    const seq = exampleRows(items.map((it) => it.ex), tok);
    const [boxLogp, answerLogits] = tf.tidy(() => {
      const prefix = model.prefix(tf.tensor4d(ScenePool.pixels(scenes), [scenes.length, H, W, 3])); // [S, P, d]
      const h = tf.reshape(boxHead.linear.forward(prefix), [-1, d]); // [S·P·L, d]
      const table = tf.slice(model.lm.embeddingTable(), [rows.start, 0], [N, d]);
      const lp = tf.reshape(tf.logSoftmax(tf.matMul(h, tf.transpose(table)), -1), [scenes.length, P, L, N]);
      const ids = tf.tensor2d(seq.ids, [seq.batch, seq.length], 'int32');
      return [lp, tf.slice(model.textLogits(ids, tf.gather(prefix, items.map((it) => it.scene))), [0, 0, rows.start], [seq.batch, seq.length, N])];
    });
    const lp = (await boxLogp.array()) as number[][][][];
    const al = (await answerLogits.array()) as number[][][];
    tf.dispose([boxLogp, answerLogits]);
    const owners = patchOwners(scenes, grid);
    scenes.forEach((s, b) => {
      s.objects.forEach((o, i) => {
        const mine = [...Array(P).keys()].filter((p) => owners[b * P + p] === i);
        if (mine.length === 0) return;
        const decode = (ps: number[]) => {
          const bins = Array.from({ length: L }, (_, k) => argmax(Array.from({ length: N }, (_, n) => ps.reduce((acc, p) => acc + lp[b]![p]![k]![n]!, 0))));
          return { bins, box: codec.decode(bins.map((k) => codec.tokens[k]!), W, H) };
        };
        for (const p of mine) {
          const { box } = decode([p]);
          image.patches++;
          if (box && boxIoU(box, o.box) >= 0.5) image.patchHits++;
        }
        const { bins, box } = decode(mine);
        image.objects++;
        if (box && boxIoU(box, o.box) >= 0.5) image.objectHits++;
        const truth = codec.encode(o.box, W, H).map((t) => codeOf.get(t)!);
        bins.forEach((k, c) => (image.error[c]! += Math.abs(k - truth[c]!)));
      });
    });
    items.forEach((_, r) => {
      const mass = looks.expressions[expression++]!.target;
      if (mass === null || mass < LOOKS) return;
      answers.n++;
      let c = 0;
      for (let t = 0; t < seq.length && c < L; t++) {
        const label = seq.labels[r * seq.length + t]! - rows.start;
        if (seq.weights[r * seq.length + t]! <= 0 || label < 0 || label >= N) continue;
        const e = Math.abs(argmax(al[r]![t]!) - label);
        if (e === 0) answers.exact[c]!++;
        if (e <= 1) answers.within1[c]!++;
        if (e <= 2) answers.within2[c]!++;
        answers.error[c]! += e;
        c++;
      }
    });
  }
  const share = (v: number[], n: number) => v.map((x) => Number((x / n).toFixed(3)));
  const result = {
    probe: 'box-readout',
    run: a.run,
    arm,
    seed,
    imageTokens: { objects: image.objects, objectIoU50: Number((image.objectHits / image.objects).toFixed(3)), patches: image.patches, patchIoU50: Number((image.patchHits / image.patches).toFixed(3)), meanErrorBins: share(image.error, image.objects) },
    answers: { lookingAt: LOOKS, n: answers.n, exact: share(answers.exact, answers.n), within1: share(answers.within1, answers.n), within2: share(answers.within2, answers.n), meanErrorBins: share(answers.error, answers.n) },
  };
  console.log(JSON.stringify(result));
  model.dispose();
  headVariables.forEach((v) => v.dispose());
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
