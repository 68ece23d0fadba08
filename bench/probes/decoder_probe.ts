/**
 * What the decoder adds to a finished grounded-lm run: its checkpoint evaluated on the test scenes once per
 * decoder (evaluate_grounded.ts, the run's own eval settings otherwise) — REC Acc@0.5 with its misses
 * (another object's box / imprecise / parse failure), detection AP50 and AP, names micro-F1, and seconds.
 *
 *   node --import tsx bench/probes/decoder_probe.ts --run runs/NAME [--arm scratch-bins64] [--seed 0]
 *        [--decoders greedy,beam3,beam5]
 */
import { initBackend } from '../../kernel/src/backend';
import { newBoxWarnings } from '../../kernel/src/seq/box_check';
import { evaluateStage1 } from '../../kernel/src/seq/grounded_lm_run';
import { loadRunModel } from './load_run';
import { probeArgs } from './probe_args';

/** 'greedy' or 'beamK' (K ≥ 2 beams) → the eval settings it stands for. */
function decoderOf(name: string): { decoder: 'greedy' | 'beam'; beams: number } {
  if (name === 'greedy') return { decoder: 'greedy', beams: 1 };
  const m = /^beam(\d+)$/.exec(name);
  if (!m || Number(m[1]) < 2) throw new Error(`decoder_probe: --decoders expects 'greedy' or 'beamK' (K ≥ 2) names; got '${name}'.`);
  return { decoder: 'beam', beams: Number(m[1]) };
}

async function main(): Promise<void> {
  const a = probeArgs('decoder_probe');
  if (!a.run) throw new Error('decoder_probe: --run runs/NAME is required (a grounded-lm output folder).');
  const arm = a.arm ?? 'scratch-bins64';
  const seed = Number(a.seed ?? 0);
  const decoders = (a.decoders ?? 'greedy,beam3').split(',').map((d) => [d, decoderOf(d)] as const);
  await initBackend({ log: null });
  const { model, tok, codec, pool, cfg, recordedRun } = await loadRunModel('decoder_probe', a.run, arm, seed);
  console.log(`${a.run} ${arm} seed ${seed}: REC ${recordedRun.metrics.rec.accuracy.toFixed(3)} as recorded (${cfg.eval.decoder})`);
  console.log('decoder  | REC    | other object | imprecise | parse fail | AP50  | AP    | names F1 | seconds');
  for (const [name, d] of decoders) {
    const t0 = Date.now();
    const { ev } = evaluateStage1({ ...cfg, eval: { ...cfg.eval, ...d } }, model, tok, codec, pool, newBoxWarnings());
    const m = ev.metrics;
    const miss = m.rec.misses;
    const row = [name.padEnd(8), m.rec.accuracy.toFixed(3), (miss.wrongObject / miss.n).toFixed(3), (miss.imprecise / miss.n).toFixed(3), (miss.parseFailure / miss.n).toFixed(3),
      m.detection.AP50.toFixed(3), m.detection.AP.toFixed(3), m.names.micro.f1.toFixed(3), ((Date.now() - t0) / 1000).toFixed(0)];
    console.log(row.join(' | '));
  }
  model.dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
