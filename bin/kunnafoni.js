#!/usr/bin/env node
// The `kunnafoni` command. Runs the bundle in dist/ when it was built from the current sources (`npm run build`,
// which `npm ci` runs through `prepare`): it starts in about half the time. Otherwise, e.g. right after editing a
// source file or without a build, it runs the TypeScript sources directly through tsx, so it always works.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sourceStamp } from '../scripts/source-stamp.mjs';

const root = path.resolve(import.meta.dirname, '..');

function builtFromCurrentSources() {
  const stampFile = path.join(root, 'dist', 'stamp.json');
  if (process.env.KUNNAFONI_FROM_SOURCES === '1' || !existsSync(stampFile)) return false;
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')).sources === sourceStamp(root);
  } catch {
    return false;
  }
}

if (builtFromCurrentSources()) {
  await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
