/**
 * Re-renders `report.html` (and the findings in `metrics.json`) of a finished run from its metrics.json
 * alone: the per-run metrics, loss curves and alignment samples are stored there, and the test images
 * are regenerated from the stored dataset config (the generator is deterministic) or, for dataset records
 * (`--data`), read from the `sampleImages` stored beside the metrics. No training.
 *
 *   alignscope experiment --report-only --name default-1
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GroundedScenes } from '../data/grounded_scenes';
import { aggregateRuns } from './aggregate';
import type { AlignmentSample } from './evaluate_model';
import type { ExperimentConfig } from './experiment_config';
import { investigationNotes } from './findings_notes';
import { buildReportHtml } from './report_html';
import { checkResearchTarget } from './research_target';
import type { RunResult } from './run_one';
import { summaryColumns, summaryTable } from './summary_table';

interface StoredRun {
  method: RunResult['method'];
  seed: number;
  stoppedReason: string;
  message: string;
  parameters: number;
  trainSec: number;
  evalSec: number;
  metrics: Record<string, number | null>;
  lossCurve: [number, number][];
  samples?: AlignmentSample[];
}

export function rerenderReport(dir: string): { table: string } {
  const file = join(dir, 'metrics.json');
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { runs: StoredRun[]; config: ExperimentConfig };
  const runs: RunResult[] = stored.runs.map((r) => ({
    ...r,
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, v ?? NaN])),
    lossCurve: r.lossCurve.map(([step, loss]) => ({ step, loss, parts: {} })),
    samples: r.samples ?? [],
  }));
  const config = stored.config;
  const summaries = aggregateRuns(runs, config.methods);
  const targets = checkResearchTarget(summaries);
  const findings = investigationNotes(summaries, runs);
  const shown = new Set(runs.flatMap((r) => r.samples.map((s) => s.index)));
  const stash = stored.sampleImages as Record<string, string> | undefined;
  const image = stash
    ? (i: number): Uint8Array => new Uint8Array(Buffer.from(stash[String(i)] ?? '', 'base64'))
    : ((ds) => (i: number): Uint8Array => ds.getScene('test', i).image)(new GroundedScenes(stored.datasetConfig));
  const testImages = new Map([...shown].map((i) => [i, image(i)] as const));
  const html = buildReportHtml({
    name: String(stored.name),
    createdAt: String(stored.createdAt),
    wallSec: Number(stored.wallSec),
    backend: stored.backend as { backend: string; device: string },
    config,
    summaries,
    runs,
    targets,
    findings,
    testImages,
    imageSize: config.data.imageSize,
    grid: config.data.imageSize / config.model.patchSize,
  });
  writeFileSync(join(dir, 'report.html'), html);
  writeFileSync(file, `${JSON.stringify({ ...stored, researchTarget: targets, findings }, null, 2)}\n`);
  return { table: summaryTable(summaries, summaryColumns(runs)) };
}
