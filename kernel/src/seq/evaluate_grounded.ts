/**
 * Evaluates a GroundedLM on a split: decodes every task's answers (greedy or beam, with or without the
 * grammar mask), parses them (parse failures counted, never thrown) and scores them (grounded_metrics).
 *
 *   REC         one row per referring expression of each scene
 *   detection   one decode per scene; an object's confidence is its class-token probability
 *               (`confidence: 'class'`) or exp(mean log-prob of its box + class tokens) ('span')
 *   listing     one decode per scene → predicted name set
 *   checklist   (with `checklist`) one decode per scene → the names answered "yes"
 *   captions    one decode per object → region phrase
 */
import type { BoxXYXY, Scene, SplitName } from '../data/scene_types';
import { SHAPES } from '../data/scene_vocabulary';
import type { WordTokenizer } from '../data/word_tokenizer';
import type { RecOptions } from '../evaluate';
import { answerGrammar, type GrammarOptions } from './answer_grammar';
import type { BoxPolicy, BoxWarnings } from './box_check';
import type { CoordinateCodec } from './coordinate_codec';
import { coordinateChooser, type CoordinateReadout } from './coordinate_readout';
import { decodeBeam } from './decode_beam';
import { decodeGreedy, type Decoded, type NextLogProbs } from './decode_greedy';
import { scoreGrounded, type CaptionPrediction, type GroundedMetrics, type ImagePrediction, type RecPrediction } from './grounded_metrics';
import type { GroundedLM } from './grounded_lm';
import { modelStep } from './model_step';
import { parseBox, parseChecklist, parseNames, parseObjects, parsePhrase } from './parse_answer';
import { ScenePool } from './scene_pool';
import { promptIds } from './sequence_batch';
import { sceneBoxes, taskTemplate, type SeqExample, type TaskName } from './task_templates';

export interface EvaluateOptions {
  split: SplitName;
  count: number;
  constrained: boolean;
  decoder: 'greedy' | 'beam';
  beams: number;
  /** Greedy only: how a coordinate is read off the bins (coordinate_readout.ts; default argmax). */
  coordinateReadout?: CoordinateReadout;
  confidence: 'class' | 'span';
  maxObjects: number;
  recOptions?: RecOptions;
  /** Also decode the checklist task (train it first: stage1.taskWeights.checklist > 0). */
  checklist?: boolean;
  /** Scenes per decoding batch. */
  chunk: number;
  policy: BoxPolicy;
  /** Object names and region-caption words of dataset records (default: the scenes'). */
  names?: readonly string[];
  phraseWords?: readonly string[];
}

export interface GroundedEvaluation {
  metrics: GroundedMetrics;
  rec: RecPrediction[];
  images: ImagePrediction[];
  /** One per region-caption decode: the true phrase and the one written (for looking at what a run gets wrong). */
  captions: CaptionPrediction[];
}

export function evaluateGrounded(model: GroundedLM, tok: WordTokenizer, codec: CoordinateCodec, pool: ScenePool, o: EvaluateOptions, warnings: BoxWarnings): GroundedEvaluation {
  const rec: RecPrediction[] = [];
  const images: ImagePrediction[] = [];
  const captions: CaptionPrediction[] = [];
  const failures: { rec: number; detection: number; listing: number; caption: number; checklist?: number } = { rec: 0, detection: 0, listing: 0, caption: 0, ...(o.checklist ? { checklist: 0 } : {}) };
  const gopts: GrammarOptions = { maxObjects: o.maxObjects, maxWords: 8, ...(o.names ? { names: o.names } : {}), ...(o.phraseWords ? { phraseWords: o.phraseWords } : {}) };
  const known = o.names ? new Set(o.names) : undefined;
  const words = (d: Decoded): string[] => d.ids.map((i) => tok.wordOf(i));
  const choose = coordinateChooser(o.coordinateReadout ?? 'argmax', codec, tok);
  if (choose && o.decoder !== 'greedy') throw new Error(`evaluateGrounded: coordinateReadout '${o.coordinateReadout}' is a greedy read-out; got decoder '${o.decoder}'.`);
  const count = Math.min(o.count, pool.dataset.size(o.split));
  for (let start = 0; start < count; start += o.chunk) {
    const scenes: Scene[] = [];
    for (let i = start; i < Math.min(count, start + o.chunk); i++) scenes.push(pool.get(o.split, i));
    const { width: W, height: H } = scenes[0]!;
    const step = modelStep(model, ScenePool.pixels(scenes), [scenes.length, H, W, 3]);
    try {
      const ctx = { codec, policy: o.policy, warnings, randomOrder: false, noiseBoxes: 0 };
      const run = (task: TaskName, maxNew: number): { ex: SeqExample; scene: number; out: Decoded }[] => {
        const items = scenes.flatMap((s, k) => taskTemplate(task).build(s, ctx).map((ex) => ({ ex, scene: k })));
        if (items.length === 0) return [];
        const grammar = o.constrained ? answerGrammar(taskTemplate(task).answer, codec, tok, gopts) : null;
        const dopts = {
          maxNew,
          eos: tok.eos,
          vocabSize: model.lm.vocabSize,
          allowed: grammar ? (_p: number, a: readonly number[]) => grammar(a.map((i) => tok.wordOf(i))) : undefined,
          ...(choose ? { choose } : {}),
        };
        const prompts = items.map((it) => promptIds(tok, it.ex.prompt));
        const next: NextLogProbs = (rows, owners) => step.next(rows, owners.map((p) => items[p]!.scene));
        const outs = o.decoder === 'beam' ? decodeBeam(next, prompts, { ...dopts, beams: o.beams }) : decodeGreedy(next, prompts, dopts);
        return items.map((it, i) => ({ ...it, out: outs[i]! }));
      };
      const truth = scenes.map((s) => sceneBoxes(s, ctx));
      const boxLen = codec.encode([0, 0, W / 2, H / 2], W, H).length + 2;
      for (const r of run('rec', boxLen + 2)) {
        const { box, failures: f } = parseBox(words(r.out), codec, W, H);
        failures.rec += f;
        rec.push({ id: r.ex.record, truth: truth[r.scene]![r.ex.object]!, predicted: box, others: truth[r.scene]!.filter((_, k) => k !== r.ex.object), ...(r.ex.group !== undefined ? { group: r.ex.group } : {}) });
      }
      const listed = run('listing', 10);
      const checks = o.checklist ? run('checklist', 2 * SHAPES.length + 1) : null;
      const det = run('detection', o.maxObjects * (boxLen + 1) + 1);
      scenes.forEach((s, k) => {
        const d = det[k]!.out;
        const parsed = parseObjects(words(d), codec, W, H, known);
        failures.detection += parsed.failures;
        const objects = parsed.objects.map((obj) => {
          const span = d.logProbs.slice(obj.start, obj.classIndex + 1);
          const score = o.confidence === 'class' ? Math.exp(d.logProbs[obj.classIndex]!) : Math.exp(span.reduce((a, b) => a + b, 0) / span.length);
          return { box: obj.box as BoxXYXY, name: obj.name, score: Number.isFinite(score) ? score : 0 };
        });
        const names = parseNames(words(listed[k]!.out), known);
        failures.listing += names.failures;
        const checked = checks ? parseChecklist(words(checks[k]!.out)) : null;
        if (checked) failures.checklist! += checked.failures;
        images.push({ record: `${s.split}#${s.index}`, truthBoxes: truth[k]!, truthNames: s.objects.map((x) => x.name), objects, listedNames: names.names, ...(checked ? { checkedNames: checked.names } : {}) });
      });
      for (const c of run('regionCaption', 8)) {
        const p = parsePhrase(words(c.out));
        failures.caption += p.failures;
        captions.push({ truth: c.ex.target.slice(0, -1).join(' '), predicted: p.phrase });
      }
    } finally {
      step.dispose();
    }
  }
  return { metrics: scoreGrounded(rec, images, captions, failures, o.recOptions), rec, images, captions };
}
