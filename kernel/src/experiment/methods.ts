/**
 * The compared methods: which alignment losses (align/) are summed, with which weights.
 *
 *   global     CLIP: symmetric InfoNCE on pooled features
 *   filip      FILIP: token-wise max similarity
 *   ot         seed line (i): Sinkhorn plan-weighted patch × token similarity (by default with a background
 *              dustbin column, loss.otBackground; 'none' is the seed's balanced plan — see ot_pair_plans.ts)
 *   global+ot  global + λ·ot (λ = loss.globalOtWeight)
 *
 * Grounding reads, per method, the column that the method itself aligns with: the transport plan's
 * column for OT methods, the similarity column (softmax over patches) for global and FILIP.
 */
import type { AlignmentLossWeights } from '../align/weighted_loss';

export const METHOD_NAMES = ['global', 'filip', 'ot', 'global+ot'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** Loss weights of a method. */
export function methodWeights(method: MethodName, globalOtWeight: number): AlignmentLossWeights {
  switch (method) {
    case 'global':
      return { global: 1 };
    case 'filip':
      return { filip: 1 };
    case 'ot':
      return { ot: 1 };
    case 'global+ot':
      return { global: 1, ot: globalOtWeight };
    default:
      throw new Error(`methodWeights: unknown method '${String(method)}' (known: ${METHOD_NAMES.join(', ')})`);
  }
}

/** Whether the method's own grounding column is the OT plan (else the softmaxed similarity). */
export function groundsWithPlan(method: MethodName): boolean {
  return method === 'ot' || method === 'global+ot';
}
