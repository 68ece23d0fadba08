/**
 * `alignscope run NOTEBOOK.ipynb [--out DIR] [--timeout S] [--kernel NAME] [--no-html]`: executes every
 * code cell headless and writes the executed notebook (and an HTML report) — never over the input.
 * Exit codes: 0 all cells ran; 1 a cell failed (named on stderr); 2 bad arguments or notebook file.
 */
import { NotebookFormatError } from '../jupyter/runner/notebook';
import { runNotebook } from '../jupyter/runner/run_notebook';

const USAGE = 'usage: alignscope run NOTEBOOK.ipynb [--out DIR] [--timeout SECONDS] [--kernel NAME] [--no-html]';

export async function runCommand(argv: string[]): Promise<number> {
  const files: string[] = [];
  let outDir: string | undefined;
  let timeoutS: number | undefined;
  let kernelName: string | undefined;
  let html = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      if (flag === '--out' || flag === '-o') outDir = value();
      else if (flag === '--timeout') {
        timeoutS = Number(value());
        if (!(timeoutS > 0)) throw new Error(`--timeout must be a positive number of seconds; got '${argv[i]}'`);
      } else if (flag === '--kernel') kernelName = value();
      else if (flag === '--no-html') html = false;
      else if (flag === '--help' || flag === '-h') {
        console.log(USAGE);
        return 0;
      } else if (flag.startsWith('-')) throw new Error(`unknown option ${flag}`);
      else files.push(arg);
    } catch (e) {
      console.error(`alignscope run: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
  }
  if (files.length !== 1) {
    console.error(`alignscope run: expected one notebook, got ${files.length}\n${USAGE}`);
    return 2;
  }
  try {
    const result = await runNotebook({
      input: files[0],
      html,
      ...(outDir ? { outDir } : {}),
      ...(timeoutS ? { timeoutS } : {}),
      ...(kernelName ? { kernelName } : {}),
      onProgress: (line) => console.error(line),
    });
    console.error(`wrote ${result.output}${result.html ? ` and ${result.html}` : ''}`);
    if (result.failed) {
      console.error(`alignscope run: ${result.failed.message}`);
      return 1;
    }
    console.error(`alignscope run: ${result.cellsRun} cell(s) ran without error`);
    return 0;
  } catch (e) {
    if (e instanceof NotebookFormatError) {
      console.error(`alignscope run: ${e.message} (the file was not modified)`);
      return 2;
    }
    console.error(`alignscope run: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  runCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
