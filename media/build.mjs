// Builds the notebook renderer: media/src/renderer.ts → media/dist/renderer.js, one self-contained
// ES module with plotly.js inside (evaluated lazily on the first plot). A single file is what loads
// reliably in a VS Code webview. Usage: node media/build.mjs [--watch]
import { build, context } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const options = {
  entryPoints: [join(here, 'src', 'renderer.ts')],
  outfile: join(here, 'dist', 'renderer.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

if (process.argv.includes('--watch')) {
  const ctx = await context(options);
  await ctx.watch();
  console.log('[media] watching media/src');
} else {
  const started = Date.now();
  await build(options);
  console.log(`[media] built media/dist/renderer.js in ${Date.now() - started} ms`);
}
