/**
 * The four grounded tasks as data: a prompt, an answer format and a builder that turns one scene into
 * examples. Every sequence the model sees is
 *
 *   [image prefix: P projected patch features] [BOS] prompt… [SEP] answer… [EOS]
 *
 * with the loss on the answer and [EOS] only. Formats (bins64 codec, 64-px scene):
 *
 *   detection        detect [SEP] <box> <bin_5> <bin_9> <bin_20> <bin_30> </box> circle <box> … </box> star [EOS]
 *                    (Pix2Seq order: box, then class; the class probability is the detection's confidence)
 *   region caption   describe <box> <bin_5> <bin_9> <bin_20> <bin_30> </box> [SEP] the small red circle [EOS]
 *   REC              locate the red circle left of the square [SEP] <box> <bin_5> <bin_9> <bin_20> <bin_30> </box> [EOS]
 *   object listing   list [SEP] circle square star [EOS]      (distinct names, in vocabulary order)
 *   checklist        check [SEP] circle yes square no triangle no … hexagon yes [EOS]
 *                    (every shape of the vocabulary in its order, each followed by yes / no: is one in
 *                    the image? The names are given, so each decision is made at its name's position
 *                    — where the name can look up its objects — instead of choosing the next name of a
 *                    set. The grounded scenes only; weight 0 by default)
 *
 * Pix2Seq switches (detection): `randomOrder` shuffles the objects (else raster order of their
 * top-left corners); `noiseBoxes` appends up to k random boxes with the fake class <noise> whose box
 * and coordinate tokens get loss weight 0 (only the class token is learnt), which teaches the model to
 * keep proposing and to label its low-quality proposals.
 *
 * A new task is one more entry: `registerTaskTemplate({ name, answer, build })`.
 */
import type { BoxXYXY, ReferringExpression, Scene } from '../data/scene_types';
import { roleOfWord, SHAPES } from '../data/scene_vocabulary';
import type { SeededRandom } from '../util/seeded_random';
import { checkedBox, type BoxPolicy, type BoxWarnings } from './box_check';
import type { CoordinateCodec } from './coordinate_codec';
import { BOX_CLOSE, BOX_OPEN, CHECKLIST_NO, CHECKLIST_YES, NOISE_CLASS } from './sequence_vocabulary';

export type TaskName = 'detection' | 'regionCaption' | 'rec' | 'listing' | 'checklist';
export const TASK_NAMES: readonly TaskName[] = ['detection', 'regionCaption', 'rec', 'listing', 'checklist'];

/** How an answer is parsed and constrained. */
export type AnswerKind = 'boxesWithNames' | 'phrase' | 'box' | 'names' | 'checklist';

/** One training or evaluation sequence (words, not ids). */
export interface SeqExample {
  task: TaskName;
  /** `${split}#${index}` of its scene. */
  record: string;
  prompt: string[];
  /** Answer words followed by [EOS]. */
  target: string[];
  /** Loss weight per target word (0 for noise-box coordinates). */
  weights: number[];
  /** The object the example is about (region caption, REC), or −1. */
  object: number;
  /** REC: how the expression singles its object out (`recGroup`), for the accuracy per group. */
  group?: string;
}

export interface TaskContext {
  codec: CoordinateCodec;
  policy: BoxPolicy;
  warnings: BoxWarnings;
  /** Present in training (random order, noise boxes); absent in evaluation. */
  rng?: SeededRandom;
  randomOrder: boolean;
  noiseBoxes: number;
}

export interface TaskTemplate {
  name: TaskName;
  answer: AnswerKind;
  /** Every example of the task for `scene` (training samples one of them). */
  build(scene: Scene, ctx: TaskContext): SeqExample[];
}

const EOS = '[EOS]';
const record = (s: Scene): string => `${s.split}#${s.index}`;

/** The scene's checked ground-truth boxes (bad-input policy of box_check.ts). */
export function sceneBoxes(scene: Scene, ctx: Pick<TaskContext, 'policy' | 'warnings'>): BoxXYXY[] {
  return scene.objects.map((o, i) => checkedBox(o.box, scene.width, scene.height, `${record(scene)} object ${i}`, ctx.policy, ctx.warnings));
}

const boxWords = (box: BoxXYXY, s: Scene, codec: CoordinateCodec): string[] => [BOX_OPEN, ...codec.encode(box, s.width, s.height), BOX_CLOSE];

function example(task: TaskName, s: Scene, prompt: string[], answer: string[], object = -1, weights?: number[]): SeqExample {
  return { task, record: record(s), prompt, target: [...answer, EOS], weights: [...(weights ?? answer.map(() => 1)), 1], object };
}

function randomBox(rng: SeededRandom, W: number, H: number): BoxXYXY {
  const w = 4 + rng.next() * (W / 2);
  const h = 4 + rng.next() * (H / 2);
  const x = rng.next() * (W - w);
  const y = rng.next() * (H - h);
  return [x, y, x + w, y + h];
}

/**
 * The group of a referring expression for REC accuracy per group: its kind, and for expressions by
 * attributes the number of size and colour words besides the name — 'attributes+0' ("the ring"),
 * 'attributes+1' ("the red ring"), 'attributes+2' ("the small red ring"), 'extremal', 'relational'.
 */
export function recGroup(e: Pick<ReferringExpression, 'kind' | 'words'>): string {
  if (e.kind !== 'attributes') return e.kind;
  const attributes = e.words.filter((w) => {
    const role = roleOfWord(w);
    return role === 'size' || role === 'colour';
  }).length;
  return `attributes+${attributes}`;
}

const registry = new Map<TaskName, TaskTemplate>();

export function registerTaskTemplate(t: TaskTemplate): void {
  registry.set(t.name, t);
}

export function taskTemplate(name: TaskName): TaskTemplate {
  const t = registry.get(name);
  if (!t) throw new Error(`taskTemplate: unknown task '${name}' (known: ${[...registry.keys()].join(', ')}).`);
  return t;
}

registerTaskTemplate({
  name: 'detection',
  answer: 'boxesWithNames',
  build(s, ctx) {
    const boxes = sceneBoxes(s, ctx);
    let order = boxes.map((_, i) => i).sort((a, b) => boxes[a]![1] - boxes[b]![1] || boxes[a]![0] - boxes[b]![0]);
    if (ctx.randomOrder && ctx.rng) order = ctx.rng.shuffle(order);
    const words: string[] = [];
    const weights: number[] = [];
    for (const i of order) {
      const w = [...boxWords(boxes[i]!, s, ctx.codec), s.objects[i]!.name];
      words.push(...w);
      weights.push(...w.map(() => 1));
    }
    if (ctx.rng && ctx.noiseBoxes > 0) {
      const k = ctx.rng.int(ctx.noiseBoxes + 1);
      for (let j = 0; j < k; j++) {
        const b = boxWords(randomBox(ctx.rng, s.width, s.height), s, ctx.codec);
        words.push(...b, NOISE_CLASS);
        weights.push(...b.map(() => 0), 1); // Pix2Seq: no coordinate loss on noise boxes, class loss kept
      }
    }
    return [example('detection', s, ['detect'], words, -1, weights)];
  },
});

registerTaskTemplate({
  name: 'regionCaption',
  answer: 'phrase',
  build(s, ctx) {
    const boxes = sceneBoxes(s, ctx);
    return s.objects.map((o, i) => example('regionCaption', s, ['describe', ...boxWords(boxes[i]!, s, ctx.codec)], o.regionPhrase.split(' '), i));
  },
});

registerTaskTemplate({
  name: 'rec',
  answer: 'box',
  build(s, ctx) {
    const boxes = sceneBoxes(s, ctx);
    return s.referringExpressions.map((e) => ({ ...example('rec', s, ['locate', ...e.words], boxWords(boxes[e.target]!, s, ctx.codec), e.target), group: recGroup(e) }));
  },
});

registerTaskTemplate({
  name: 'listing',
  answer: 'names',
  build(s) {
    const present = new Set(s.objects.map((o) => o.name));
    const others = [...present].filter((n) => !(SHAPES as readonly string[]).includes(n)).sort(); // dataset records' names
    return [example('listing', s, ['list'], [...SHAPES.filter((n) => present.has(n)), ...others])];
  },
});

registerTaskTemplate({
  name: 'checklist',
  answer: 'checklist',
  build(s) {
    const present = new Set(s.objects.map((o) => o.name));
    const unknown = [...present].filter((n) => !(SHAPES as readonly string[]).includes(n));
    if (unknown.length > 0) throw new Error(`checklist task: record ${s.split}#${s.index} has object name(s) ${unknown.map((n) => JSON.stringify(n)).join(', ')} outside the scene shapes; the checklist is for the grounded scenes.`);
    return [example('checklist', s, ['check'], SHAPES.flatMap((n) => [n, present.has(n) ? CHECKLIST_YES : CHECKLIST_NO]))];
  },
});
