#!/usr/bin/env node
/**
 * `alignscope` command line. Each subcommand lives in its own module and is loaded only when used, so
 * `alignscope kernel` does not pay for the experiment code and vice versa.
 */

type Command = (argv: string[]) => Promise<number>;

interface Subcommand {
  summary: string;
  load: () => Command;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const SUBCOMMANDS: Record<string, Subcommand> = {
  demo: {
    summary: 'demo sinkhorn — solve a batch of OT problems and print a result table',
    load: () => require('./demo_command').demoCommand,
  },
  kernel: {
    summary: 'kernel --connection-file FILE | kernel install|uninstall|list — the Jupyter kernel',
    load: () => require('./kernel_command').kernelCommand,
  },
  'grounded-lm': {
    summary: 'grounded-lm [--quick] [--config FILE] [--seeds K] [--name NAME] [--out DIR] [--force] [--data SOURCES [--test-data SOURCES]] — seed line (ii) ablation',
    load: () => require('./grounded_lm_command').groundedLmCommand,
  },
  run: {
    summary: 'run NOTEBOOK.ipynb [--out DIR] [--timeout S] — execute a notebook headless',
    load: () => require('./run_command').runCommand,
  },
  scenes: {
    summary: 'scenes export --format coco|refcoco|flickr30k|vg --out DIR — write the grounded scenes as a dataset',
    load: () => require('./scenes_command').scenesCommand,
  },
  experiment: {
    summary: 'experiment [--quick] [--steps N] [--seeds K] [--config FILE] [--name NAME] [--out DIR] [--force] [--data SOURCES [--test-data SOURCES]] — global vs FILIP vs OT',
    load: () => require('../experiment/experiment_command').experimentCommand,
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Adds a subcommand (used by modules that contribute one). */
export function registerSubcommand(name: string, summary: string, load: () => Command): void {
  SUBCOMMANDS[name] = { summary, load };
}

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(12)} ${s.summary}`);
  return `usage: alignscope <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const subcommand = SUBCOMMANDS[name];
  if (!subcommand) {
    process.stderr.write(`alignscope: unknown command '${name}'.\n\n${usage()}`);
    return 2;
  }
  return subcommand.load()(rest);
}

/** Runs the CLI on process.argv and sets the exit code (the process entry: here, and run_main.ts for bundles). */
export function runProcess(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`alignscope: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) runProcess();
