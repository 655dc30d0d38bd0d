// `npm run build` (also run by `npm ci` and `npm install` through `prepare`): bundles the CLI and the service into
// dist/ with esbuild (installed with tsx), packages left outside the bundle. Node then starts from plain JavaScript
// instead of compiling TypeScript through tsx's loader at every start: about half the cold start.
// dist/stamp.json records the sources it was built from; bin/kunnafoni.js uses dist/ only while they are unchanged,
// and the TypeScript sources otherwise, so an edit never runs stale code.
// Where there is nothing to build (a Docker layer with only package.json) it does nothing.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sourceStamp } from './source-stamp.mjs';

const root = path.resolve(import.meta.dirname, '..');
const entry = path.join(root, 'src', 'cli', 'index.ts');
const out = path.join(root, 'dist');

if (!existsSync(entry)) {
  console.log('build: no sources here, nothing to build');
  process.exit(0);
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('build: esbuild is not installed; the CLI will run from the TypeScript sources (slower start)');
  process.exit(0);
}

const started = performance.now();
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: { cli: entry },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
});
await writeFile(path.join(out, 'stamp.json'), `${JSON.stringify({ sources: sourceStamp(root) })}\n`);
console.log(`build: dist/ in ${Math.round(performance.now() - started)} ms`);
