/**
 * The issue's research target, checked on the aggregated numbers (nothing here changes a metric):
 *
 *   a candidate (`ot` or `global+ot`) beats `global` on grounding hit@1 (each method's own column) by
 *   ≥ 10 points with disjoint 95% CIs, while its own retrieval R@1 (each direction) is not more than
 *   2 points below `global`'s.
 */
import type { MethodSummary } from './aggregate';
import { intervalsDisjoint } from './confidence_interval';

export interface TargetCheck {
  candidate: string;
  hitGain: number;
  hitCisDisjoint: boolean;
  i2tR1Delta: number;
  t2iR1Delta: number;
  met: boolean;
  /** One readable sentence. */
  text: string;
}

const HIT = 'grounding.own.hitAt1';
const I2T = 'retrieval.own.i2t.R@1';
const T2I = 'retrieval.own.t2i.R@1';

export function checkResearchTarget(summaries: Record<string, MethodSummary>): TargetCheck[] {
  const base = summaries['global'];
  if (!base) return [];
  const pts = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
  return ['ot', 'global+ot']
    .filter((c) => summaries[c])
    .map((candidate) => {
      const s = summaries[candidate]!;
      const hitGain = s[HIT]!.mean - base[HIT]!.mean;
      const hitCisDisjoint = intervalsDisjoint(s[HIT]!, base[HIT]!) && hitGain > 0;
      const i2tR1Delta = s[I2T]!.mean - base[I2T]!.mean;
      const t2iR1Delta = s[T2I]!.mean - base[T2I]!.mean;
      const grounding = hitGain >= 0.1 && hitCisDisjoint;
      const retrieval = i2tR1Delta >= -0.02 && t2iR1Delta >= -0.02;
      const met = grounding && retrieval;
      const text =
        `${candidate} vs global: grounding hit@1 ${pts(hitGain)} points (CIs ${hitCisDisjoint ? 'disjoint' : 'overlap'}; ` +
        `needs ≥ +10 and disjoint) — ${grounding ? 'met' : 'not met'}; retrieval R@1 i2t ${pts(i2tR1Delta)}, t2i ${pts(t2iR1Delta)} points ` +
        `(needs ≥ −2) — ${retrieval ? 'met' : 'not met'}. Target ${met ? 'MET' : 'NOT met'}.`;
      return { candidate, hitGain, hitCisDisjoint, i2tR1Delta, t2iR1Delta, met, text };
    });
}
