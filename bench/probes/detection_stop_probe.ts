/**
 * Whether a trained grounded LM stops its detection answer too early, and what names it would extract if it
 * stopped later: decodes the detection task of a finished run (constrained greedy, as the run's evaluation
 * does) with a stopping rule on the choice between another box and [EOS] — [EOS] only when
 *
 *   p([EOS]) ≥ r · p(<box>)        (r = 1: plain argmax, the run's own decoding)
 *
 * for each r of `--odds`, and prints per r and split: the names read off the detections (micro P/R/F1,
 * evaluate/name_prf.ts), the detections written, and how many objects were written against how many the
 * image holds ("true:written" → images). The train split is there to choose r on scenes the test split
 * does not hold. A probe (no run's setting changes); Pix2Seq (Chen et al. 2022) meets the same early stop
 * with noise boxes in training and by decoding a fixed number of objects.
 *
 *   node --import tsx bench/probes/detection_stop_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0]
 *        [--odds 1,2,4,8] [--splits train,test] [--count 200]
 */
import { initBackend } from '../../kernel/src/backend';
import type { SplitName } from '../../kernel/src/data/scene_types';
import { namePRF } from '../../kernel/src/evaluate/name_prf';
import { answerGrammar } from '../../kernel/src/seq/answer_grammar';
import { newBoxWarnings } from '../../kernel/src/seq/box_check';
import { decodeGreedy, type NextLogProbs } from '../../kernel/src/seq/decode_greedy';
import { modelStep } from '../../kernel/src/seq/model_step';
import { parseObjects } from '../../kernel/src/seq/parse_answer';
import { ScenePool } from '../../kernel/src/seq/scene_pool';
import { promptIds } from '../../kernel/src/seq/sequence_batch';
import { BOX_OPEN } from '../../kernel/src/seq/sequence_vocabulary';
import { taskTemplate } from '../../kernel/src/seq/task_templates';
import { loadRunModel } from './load_run';
import { probeArgs } from './probe_args';

async function main(): Promise<void> {
  const a = probeArgs('detection_stop_probe');
  if (!a.run) throw new Error('detection_stop_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  const odds = (a.odds ?? '1,2,4,8').split(',').map(Number);
  if (odds.some((r) => !(r >= 1 && Number.isFinite(r)))) throw new Error(`detection_stop_probe: --odds takes numbers ≥ 1; got '${a.odds}'.`);
  const splits = (a.splits ?? 'train,test').split(',') as SplitName[];
  if (splits.some((s) => s !== 'train' && s !== 'test')) throw new Error(`detection_stop_probe: --splits takes train, test; got '${a.splits}'.`);
  await initBackend({ log: null });
  const { model, tok, codec, pool, cfg } = await loadRunModel('detection_stop_probe', a.run, arm, seed);
  const count = Number(a.count ?? cfg.eval.count);
  const grammar = answerGrammar('boxesWithNames', codec, tok, { maxObjects: cfg.eval.maxObjects, maxWords: 8 });
  const words = (ids: readonly number[]) => ids.map((i) => tok.wordOf(i));
  const open = tok.idOf(BOX_OPEN);
  const ctx = { codec, policy: { clipBoxes: cfg.clipBoxes }, warnings: newBoxWarnings(), randomOrder: false, noiseBoxes: 0 };
  for (const split of splits) {
    const n = Math.min(count, pool.dataset.size(split));
    const rows = new Map<number, { predicted: string[]; truth: string[]; written: number }[]>(odds.map((r) => [r, []]));
    for (let start = 0; start < n; start += 50) {
      const scenes = Array.from({ length: Math.min(50, n - start) }, (_, k) => pool.get(split, start + k));
      const { width: W, height: H } = scenes[0]!;
      const step = modelStep(model, ScenePool.pixels(scenes), [scenes.length, H, W, 3]);
      try {
        const prompts = scenes.map((s) => promptIds(tok, taskTemplate('detection').build(s, ctx)[0]!.prompt));
        const next: NextLogProbs = (r, owners) => step.next(r, owners);
        const boxLen = codec.encode([0, 0, W / 2, H / 2], W, H).length + 2;
        for (const r of odds) {
          const outs = decodeGreedy(next, prompts, {
            maxNew: cfg.eval.maxObjects * (boxLen + 1) + 1,
            eos: tok.eos,
            vocabSize: model.lm.vocabSize,
            allowed: (_p, ans) => grammar(words(ans)),
            // between another box and [EOS]: [EOS] only when it is r times as likely
            choose: (allowed, lp) => (allowed.length === 2 && allowed.includes(open) && allowed.includes(tok.eos) ? (lp(tok.eos) >= Math.log(r) + lp(open) ? tok.eos : open) : null),
          });
          outs.forEach((d, k) => {
            const objects = parseObjects(words(d.ids), codec, W, H).objects;
            rows.get(r)!.push({ predicted: objects.map((o) => o.name), truth: scenes[k]!.objects.map((o) => o.name), written: objects.length });
          });
        }
      } finally {
        step.dispose();
      }
    }
    for (const r of odds) {
      const got = rows.get(r)!;
      const prf = namePRF(got);
      const counts = new Map<string, number>();
      for (const g of got) counts.set(`${g.truth.length}:${g.written}`, (counts.get(`${g.truth.length}:${g.written}`) ?? 0) + 1);
      console.log(JSON.stringify({ probe: 'detection-stop', run: a.run, seed, split, images: got.length, odds: r, names: prf.micro, detections: got.reduce((x, g) => x + g.written, 0), objectsWritten: Object.fromEntries([...counts.entries()].sort()) }));
    }
  }
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
