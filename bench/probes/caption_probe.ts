/**
 * What a trained grounded LM's region captions get wrong: re-evaluates a run from its checkpoint (the caption
 * exact-match must equal the one in its metrics.json, else it stops) and counts, over the wrong captions, which
 * word of the phrase differs from the truth ("the small red circle": position 1 size, 2 colour, 3 shape), with
 * a few examples.
 *
 *   node --import tsx bench/probes/caption_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0] [--examples 8]
 *
 * Prints one JSON line.
 */
import { initBackend } from '../../kernel/src/backend';
import { reEvaluatedRun } from './load_run';
import { probeArgs } from './probe_args';

async function main(): Promise<void> {
  const a = probeArgs('caption_probe');
  if (!a.run) throw new Error('caption_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  const examples = Number(a.examples ?? 8);
  await initBackend({ log: null });
  const { ev } = await reEvaluatedRun('caption_probe', a.run, arm, seed, { name: 'caption exact match', of: (m) => m.captions.exactMatch });
  const wrong = ev.captions.filter((c) => c.truth !== c.predicted);
  const wrongWordAt: Record<string, number> = {};
  for (const c of wrong) {
    const truth = c.truth.split(' ');
    const said = (c.predicted ?? '').split(' ');
    truth.forEach((w, i) => {
      if (said[i] !== w) wrongWordAt[i] = (wrongWordAt[i] ?? 0) + 1;
    });
    if (said.length !== truth.length) wrongWordAt.length = (wrongWordAt.length ?? 0) + 1;
  }
  console.log(JSON.stringify({ probe: 'captions', run: a.run, arm, seed, n: ev.captions.length, wrong: wrong.length, wrongWordAt, examples: wrong.slice(0, examples).map((c) => `${c.truth} → ${c.predicted}`) }));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
