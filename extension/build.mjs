// Builds the extension host bundle: extension/src/extension.ts → extension/dist/extension.js (CommonJS,
// `vscode` and the native `zeromq` external). The shared Jupyter client is bundled from kernel/src;
// its kernelspec module imports kernel_info (the compute backend, i.e. all of TF.js) only for two
// constants, so that import is served by a stub here: the extension host never loads TF.js.
// Usage: node extension/build.mjs [--watch]
import { build, context } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** @type {import('esbuild').Plugin} */
const stubKernelInfo = {
  name: 'stub-kernel-info',
  setup(b) {
    b.onResolve({ filter: /(^|\/)kernel_info$/ }, (args) =>
      args.importer.includes(`${join('kernel', 'src', 'jupyter')}`) ? { path: join(here, 'src', 'kernel_info_stub.ts') } : undefined,
    );
  },
};

const options = {
  entryPoints: [join(here, 'src', 'extension.ts')],
  outfile: join(here, 'dist', 'extension.js'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: ['node18'],
  external: ['vscode', 'zeromq', 'tslab', 'tslab/*', 'plotly.js-dist-min'],
  plugins: [stubKernelInfo],
  sourcemap: true,
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
};

if (process.argv.includes('--watch')) {
  const ctx = await context(options);
  await ctx.watch();
  console.log('[extension] watching extension/src');
} else {
  const started = Date.now();
  const result = await build({ ...options, metafile: true });
  const inputs = Object.keys(result.metafile.inputs);
  const heavy = inputs.filter((p) => /tfjs|tslab|backend\//.test(p));
  if (heavy.length > 0) throw new Error(`[extension] the bundle must not contain the compute library; found: ${heavy.join(', ')}`);
  console.log(`[extension] built extension/dist/extension.js (${inputs.length} modules) in ${Date.now() - started} ms`);
}
