/**
 * Makes `import ... from '@alignscope/kernel'` (and its dependencies, e.g. '@tensorflow/tfjs-core') work
 * in a cell wherever the notebook lives. The kernel runs with the notebook's directory as cwd; both
 * resolvers are given a fallback `node_modules` — the one that holds this package:
 *   - at run time, through NODE_PATH (Node's documented fallback search path);
 *   - at type-check time, tslab's TypeScript looks under `<cwd>/node_modules/`: a path there that does
 *     not exist is forwarded to the fallback directory (as tslab itself does for `node_modules/tslab`).
 */
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';

/** The root of the @alignscope/kernel package (the directory with its package.json). */
export function kernelPackageRoot(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === '@alignscope/kernel') return dir;
      } catch {
        // not our package.json; keep walking
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the @alignscope/kernel package above ${from}`);
  }
}

/** The node_modules directory from which '@alignscope/kernel' resolves (installed or workspace-linked). */
export function fallbackNodeModules(packageRoot = kernelPackageRoot()): string {
  const parent = path.dirname(packageRoot);
  if (path.basename(parent) === '@alignscope' && path.basename(path.dirname(parent)) === 'node_modules') {
    return path.dirname(parent);
  }
  for (let dir = packageRoot; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules');
    if (fs.existsSync(path.join(candidate, '@alignscope', 'kernel', 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  // Not linked anywhere: the package's own node_modules still serves its dependencies.
  return path.join(packageRoot, 'node_modules');
}

/** Adds `dir` to NODE_PATH for this process and re-reads it (Module._initPaths). */
export function addRuntimeFallback(dir: string): void {
  const parts = (process.env.NODE_PATH ?? '').split(path.delimiter).filter(Boolean);
  if (!parts.includes(dir)) {
    process.env.NODE_PATH = [...parts, dir].join(path.delimiter);
    (Module as unknown as { _initPaths(): void })._initPaths();
  }
}

type TsSys = Record<string, unknown> & {
  fileExists(p: string): boolean;
  directoryExists(p: string): boolean;
  readFile(p: string, encoding?: string): string | undefined;
  realpath?(p: string): string;
  readDirectory(p: string, ...rest: unknown[]): string[];
  getDirectories(p: string): string[];
};

/** The TypeScript instance tslab's converter uses (resolved from tslab, so it is the same module object). */
export function tslabTypeScript(): { sys: TsSys; version: string } & Record<string, unknown> {
  const fromTslab = createRequire(require.resolve('tslab/package.json'));
  return fromTslab('@tslab/typescript-for-tslab') as { sys: TsSys; version: string } & Record<string, unknown>;
}

const PATCHED = Symbol.for('alignscope.kernel.tsFallback');

/**
 * Forwards `<cwd>/node_modules/<rest>` to `<fallback>/<rest>` in tslab's TypeScript `sys` when the first
 * does not exist. Call before creating the converter; `cwd` is the converter's root (process.cwd()).
 */
export function addTypeCheckFallback(cwd: string, fallback: string): void {
  const ts = tslabTypeScript();
  const sys = ts.sys;
  if ((sys as Record<symbol, unknown>)[PATCHED]) return;
  (sys as Record<symbol, unknown>)[PATCHED] = true;
  const prefix = `${cwd.split(path.sep).join('/').replace(/\/$/, '')}/node_modules/`;
  const original = {
    fileExists: sys.fileExists.bind(sys),
    directoryExists: sys.directoryExists.bind(sys),
    readFile: sys.readFile.bind(sys),
    realpath: sys.realpath?.bind(sys),
    readDirectory: sys.readDirectory.bind(sys),
    getDirectories: sys.getDirectories.bind(sys),
  };
  const forward = (p: string): string => {
    if (!p.startsWith(prefix)) return p;
    if (original.fileExists(p) || original.directoryExists(p)) return p;
    return path.join(fallback, p.slice(prefix.length));
  };
  sys.fileExists = (p) => original.fileExists(forward(p));
  sys.directoryExists = (p) => original.directoryExists(forward(p));
  sys.readFile = (p, encoding) => original.readFile(forward(p), encoding);
  sys.readDirectory = (p, ...rest) => original.readDirectory(forward(p), ...rest);
  sys.getDirectories = (p) => original.getDirectories(forward(p));
  if (original.realpath) {
    const realpath = original.realpath;
    sys.realpath = (p) => realpath(forward(p));
  }
}
