/**
 * `alignscope kernel …`: run the Jupyter kernel, or manage its kernelspec.
 *
 *   alignscope kernel --connection-file FILE          run the kernel (what Jupyter starts)
 *   alignscope kernel install [--user | --prefix DIR] [--name NAME]
 *   alignscope kernel uninstall [--user | --prefix DIR] [--name NAME]
 *   alignscope kernel list
 *
 * This file is also runnable on its own (`node dist/cli/kernel_command.js …`), which the kernelspec
 * uses when the CLI dispatcher (cli/main.js) is not built.
 */
import { runKernel } from '../jupyter/kernel_server';
import { installKernelspec, listKernelspecs, uninstallKernelspec, DEFAULT_KERNEL_NAME, type SpecLocation } from '../jupyter/kernelspec';

const USAGE = `usage:
  alignscope kernel --connection-file FILE
  alignscope kernel install [--user | --prefix DIR | --sys-prefix] [--name NAME] [--display-name TEXT]
  alignscope kernel uninstall [--user | --prefix DIR | --sys-prefix] [--name NAME]
  alignscope kernel list`;

interface Parsed {
  flags: Map<string, string | true>;
  rest: string[];
}

function parse(argv: string[], withValue: readonly string[]): Parsed {
  const flags = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (eq > 0) flags.set(name, arg.slice(eq + 1));
    else if (withValue.includes(name)) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags.set(name, value);
    } else flags.set(name, true);
  }
  return { flags, rest };
}

function location(flags: Map<string, string | true>): SpecLocation {
  const prefix = flags.get('prefix');
  if (typeof prefix === 'string') return { prefix };
  if (flags.has('sys-prefix')) return { prefix: process.env.VIRTUAL_ENV ?? '/usr/local' };
  return flags.has('user') ? { user: true } : { user: process.getuid?.() !== 0 };
}

export async function kernelCommand(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv, ['connection-file', 'prefix', 'name', 'display-name', 'f']);
  } catch (e) {
    console.error(`alignscope kernel: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { flags, rest } = parsed;
  const sub = rest[0];
  const name = typeof flags.get('name') === 'string' ? (flags.get('name') as string) : DEFAULT_KERNEL_NAME;
  try {
    if (sub === undefined) {
      const file = flags.get('connection-file') ?? flags.get('f');
      if (typeof file !== 'string') {
        console.error(`alignscope kernel: --connection-file FILE is required\n${USAGE}`);
        return 2;
      }
      const code = await runKernel({ connectionFile: file });
      // A cell's stray timer or socket must not keep a shut-down kernel alive.
      setTimeout(() => process.exit(code), 200).unref();
      return code;
    }
    if (sub === 'install') {
      const displayName = flags.get('display-name');
      const dir = await installKernelspec({ name, ...location(flags), ...(typeof displayName === 'string' ? { displayName } : {}) });
      console.log(`installed kernelspec '${name}' in ${dir}`);
      return 0;
    }
    if (sub === 'uninstall') {
      const dir = await uninstallKernelspec({ name, ...location(flags) });
      if (!dir) {
        console.error(`alignscope kernel: no kernelspec '${name}' found`);
        return 1;
      }
      console.log(`removed kernelspec '${name}' from ${dir}`);
      return 0;
    }
    if (sub === 'list') {
      const specs = await listKernelspecs();
      if (specs.length === 0) console.log('no alignscope kernelspecs installed');
      for (const s of specs) console.log(`${s.name.padEnd(20)} ${s.dir}  (${s.spec.display_name})`);
      return 0;
    }
    if (sub === 'help' || flags.has('help')) {
      console.log(USAGE);
      return 0;
    }
    console.error(`alignscope kernel: unknown subcommand '${sub}'\n${USAGE}`);
    return 2;
  } catch (e) {
    console.error(`alignscope kernel: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  kernelCommand(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
