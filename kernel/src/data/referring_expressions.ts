/**
 * Referring expressions: texts that single out exactly one object of a scene.
 *
 *   expr := "the" [extremal] [size] [colour] shape [REL "the" [size] [colour] shape]
 *
 * Meaning (`resolveExpression`): the objects matching the attributes; with an extremal, the one
 * furthest along its axis (ahead of the runner-up by the relation margin); with a relation, those in
 * that relation (see spatial_relation) to the landmark, which must itself be the only match of its
 * phrase. An expression is *unique* when its meaning is exactly one object.
 *
 * Generation tries, for each object, the shortest unique description first (shape; colour+shape;
 * size+shape; all three), then an extremal; independently it adds a relational expression when a
 * relation to a uniquely described landmark disambiguates an otherwise ambiguous phrase
 * ("the circle left of the blue square" when there are two circles). Cf. RefCOCO's
 * ReferIt-game expressions (Kazemzadeh et al., 2014), here with a closed grammar and exact truth.
 */
import { buildGroundedText, functionParts, nounPhrase, type WordPart } from './grounded_text';
import type { ReferringExpression } from './scene_types';
import {
  COLOURS,
  EXTREMALS,
  RELATIONS,
  SHAPES,
  SIZES,
  type ColourName,
  type ExtremalName,
  type ObjectAttributes,
  type RelationName,
  type ShapeName,
  type SizeName,
} from './scene_vocabulary';
import { extremalObject, spatialRelation, type Located } from './spatial_relation';

/** The attributes an expression names (the shape always; size and colour optionally). */
export interface ObjectFilter {
  shape: ShapeName;
  size?: SizeName;
  colour?: ColourName;
}

/** The structure of a referring expression, independent of any scene. */
export interface ParsedExpression {
  filter: ObjectFilter;
  extremal?: ExtremalName;
  relation?: { relation: RelationName; landmark: ObjectFilter };
}

export type ReferableObject = ObjectAttributes & Located;

export function matchesFilter(o: ObjectAttributes, f: ObjectFilter): boolean {
  return o.shape === f.shape && (f.size === undefined || o.size === f.size) && (f.colour === undefined || o.colour === f.colour);
}

/** The indices of the objects an expression denotes (exactly one when it is unique). */
export function resolveExpression(expr: ParsedExpression, objects: readonly ReferableObject[], margin: number): number[] {
  const candidates = objects.flatMap((o, i) => (matchesFilter(o, expr.filter) ? [i] : []));
  if (expr.extremal) {
    const best = extremalObject(objects, candidates, expr.extremal, margin);
    return best === null ? [] : [best];
  }
  if (expr.relation) {
    const { relation, landmark } = expr.relation;
    const landmarks = objects.flatMap((o, i) => (matchesFilter(o, landmark) ? [i] : []));
    if (landmarks.length !== 1) return []; // "the square" presupposes exactly one square
    const l = landmarks[0]!;
    return candidates.filter((i) => i !== l && spatialRelation(objects[i]!, objects[l]!, margin) === relation);
  }
  return candidates;
}

/** Reads an expression of the grammar above; null if the text is not one. */
export function parseReferringExpression(text: string): ParsedExpression | null {
  const words = text.trim().toLowerCase().split(/\s+/);
  let i = 0;
  const phrase = (): ObjectFilter | null => {
    if (words[i] !== 'the') return null;
    i++;
    const f: Partial<ObjectFilter> = {};
    if ((SIZES as readonly string[]).includes(words[i]!)) f.size = words[i++] as SizeName;
    if ((COLOURS as readonly string[]).includes(words[i]!)) f.colour = words[i++] as ColourName;
    if (!(SHAPES as readonly string[]).includes(words[i]!)) return null;
    f.shape = words[i++] as ShapeName;
    return f as ObjectFilter;
  };
  let extremal: ExtremalName | undefined;
  if (words[0] === 'the' && (EXTREMALS as readonly string[]).includes(words[1]!)) {
    extremal = words[1] as ExtremalName;
    words.splice(1, 1);
  }
  const filter = phrase();
  if (!filter) return null;
  const expr: ParsedExpression = { filter };
  if (extremal) expr.extremal = extremal;
  if (i === words.length) return expr;
  if (extremal) return null; // the grammar has no extremal + relation
  const relation = RELATIONS.find((r) => words.slice(i, i + r.split(' ').length).join(' ') === r);
  if (!relation) return null;
  i += relation.split(' ').length;
  const landmark = phrase();
  if (!landmark || i !== words.length) return null;
  expr.relation = { relation, landmark };
  return expr;
}

/** Attribute subsets from the least to the most specific. */
const SPECIFICITY: readonly { size: boolean; colour: boolean }[] = [
  { size: false, colour: false },
  { size: false, colour: true },
  { size: true, colour: false },
  { size: true, colour: true },
];

function filterOf(o: ObjectAttributes, attrs: { size: boolean; colour: boolean }): ObjectFilter {
  const f: ObjectFilter = { shape: o.shape };
  if (attrs.size) f.size = o.size;
  if (attrs.colour) f.colour = o.colour;
  return f;
}

const isOnly = (found: number[], target: number): boolean => found.length === 1 && found[0] === target;

/** The shortest attribute-only unique description of `target`, or null if its attributes are shared. */
function uniqueAttributes(objects: readonly ReferableObject[], target: number, margin: number) {
  return SPECIFICITY.find((attrs) => isOnly(resolveExpression({ filter: filterOf(objects[target]!, attrs) }, objects, margin), target));
}

/** Unique referring expressions of every object, in object order (one or two per object; none only if no unique one exists). */
export function generateReferringExpressions(objects: readonly ReferableObject[], margin: number): ReferringExpression[] {
  const out: ReferringExpression[] = [];
  objects.forEach((o, target) => {
    const attrs = uniqueAttributes(objects, target, margin);
    if (attrs) {
      out.push(expression(nounPhrase(o, target, 'the', attrs), target, 'attributes'));
    } else {
      search: for (const a of SPECIFICITY) {
        for (const extremal of EXTREMALS) {
          if (isOnly(resolveExpression({ filter: filterOf(o, a), extremal }, objects, margin), target)) {
            const parts: WordPart[] = [{ word: 'the', object: -1, role: 'function' }, { word: extremal, object: -1, role: 'extremal' }];
            out.push(expression([...parts, ...nounPhrase(o, target, null, a)], target, 'extremal'));
            break search;
          }
        }
      }
    }
    const relational = relationalExpression(objects, target, margin);
    if (relational) out.push(relational);
  });
  return out;
}

/** "the circle left of the blue square": only when the relation is what makes the phrase unique. */
function relationalExpression(objects: readonly ReferableObject[], target: number, margin: number): ReferringExpression | null {
  const o = objects[target]!;
  // Prefer landmarks of another shape ("the circle left of the square" reads better than "… of the large circle").
  const landmarks = objects.map((_, l) => l).filter((l) => l !== target);
  landmarks.sort((p, q) => Number(objects[p]!.shape === o.shape) - Number(objects[q]!.shape === o.shape) || p - q);
  for (const l of landmarks) {
    const landmarkAttrs = uniqueAttributes(objects, l, margin);
    const relation = spatialRelation(o, objects[l]!, margin);
    if (!landmarkAttrs || !relation) continue;
    for (const a of SPECIFICITY) {
      const filter = filterOf(o, a);
      if (isOnly(resolveExpression({ filter }, objects, margin), target)) break; // relation not needed
      const expr: ParsedExpression = { filter, relation: { relation, landmark: filterOf(objects[l]!, landmarkAttrs) } };
      if (isOnly(resolveExpression(expr, objects, margin), target)) {
        const parts = [
          ...nounPhrase(o, target, 'the', a),
          ...functionParts(relation, 'relation'),
          ...nounPhrase(objects[l]!, l, 'the', landmarkAttrs),
        ];
        return { ...expression(parts, target, 'relational'), landmark: l };
      }
    }
  }
  return null;
}

function expression(parts: WordPart[], target: number, kind: ReferringExpression['kind']): ReferringExpression {
  return { ...buildGroundedText(parts), target, kind };
}
