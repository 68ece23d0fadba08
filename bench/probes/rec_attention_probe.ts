/**
 * Where a trained grounded LM looks while it writes REC boxes, measured after the run from its checkpoint:
 * re-evaluates the run (the REC accuracy must equal the one in its metrics.json, else it stops) and prints
 * `recAttention` as runs now record it (kernel/src/seq/rec_attention.ts: the supervised head's mass per
 * group over the box and at the first coordinate, and the REC accuracy once it looks at the object).
 * Used for the runs made before runs recorded it.
 *
 *   node --import tsx bench/probes/rec_attention_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0]
 *        [--write bench/results/…/NAME.metrics.json]     (sets runs[k].recAttention in that file)
 */
import * as fs from 'node:fs';
import { initBackend } from '../../kernel/src/backend';
import { reEvaluatedRun } from './load_run';
import { probeArgs } from './probe_args';

async function main(): Promise<void> {
  const a = probeArgs('rec_attention_probe');
  if (!a.run) throw new Error('rec_attention_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  await initBackend({ log: null });
  const { model, recAttention, recorded } = await reEvaluatedRun('rec_attention_probe', a.run, arm, seed, { name: 'REC', of: (m) => m.rec.accuracy });
  console.log(JSON.stringify({ probe: 'rec-attention', run: a.run, arm, seed, rec: recorded, recAttention }));
  if (a.write) {
    const out = JSON.parse(fs.readFileSync(a.write, 'utf8'));
    const j = out.runs.findIndex((r: { arm: { name: string }; seed: number }) => r.arm.name === arm && r.seed === seed);
    if (j < 0 || out.runs[j].metrics.rec.accuracy !== recorded) throw new Error(`rec_attention_probe: ${a.write} holds no run of arm '${arm}', seed ${seed} with REC ${recorded}.`);
    out.runs[j].recAttention = recAttention;
    out.runs[j].recAttentionNote = 'measured after the run from its checkpoint: bench/probes/rec_attention_probe.ts';
    fs.writeFileSync(a.write, JSON.stringify(out, null, 2));
  }
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
