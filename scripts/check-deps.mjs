// Keeps the dependency direction of DESIGN.md: the engine imports nothing that does I/O, lower layers never import
// higher ones, and there are no import cycles. Fails (exit 1) with one line per broken rule.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'src');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** Imports of a file: { spec, typeOnly }. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4];
    found.push({ spec, typeOnly: Boolean(m[2]) });
  }
  return found;
}

const rel = (f) => path.relative(src, f).split(path.sep).join('/');
const area = (r) => (r.includes('/') ? r.split('/')[0] : r.replace(/\.ts$/, ''));

// What each area may import from the project (besides itself). Anything not listed is forbidden.
const ALLOWED = {
  engine: ['flows/schema.ts'],
  common: [],
  ports: ['engine'],
  flows: ['common', 'engine'],
  content: ['common', 'engine'],
  i18n: ['common', 'engine'],
  infra: ['engine', 'ports'],
  runtime: ['engine', 'flows', 'content', 'i18n', 'ports', 'infra'],
  channels: ['engine', 'flows', 'content', 'i18n', 'ports', 'infra', 'runtime', 'common'],
  referrals: ['engine', 'flows', 'content', 'i18n', 'ports', 'infra', 'runtime', 'common'],
  alerts: ['engine', 'flows', 'content', 'i18n', 'ports', 'infra', 'runtime', 'common'],
  // The console previews alerts with each channel's own renderer.
  staff: [
    'engine',
    'flows',
    'content',
    'i18n',
    'ports',
    'infra',
    'runtime',
    'common',
    'referrals',
    'alerts',
    'app',
    'channels',
  ],
  app: [
    'engine',
    'flows',
    'content',
    'i18n',
    'ports',
    'infra',
    'runtime',
    'common',
    'channels',
    'referrals',
    'alerts',
    'staff',
    'config',
  ],
  cli: ['*'],
  main: ['*'],
  config: ['infra'],
};
// The engine is pure: no Node built-ins, no packages but zod (pure validation: each action declares its schema).
const PURE = new Set(['engine']);
const PURE_PACKAGES = new Set(['zod']);

const problems = [];
const graph = new Map();
for (const file of files(src)) {
  const from = rel(file);
  const fromArea = area(from);
  const edges = [];
  for (const { spec, typeOnly } of importsOf(file)) {
    if (!spec.startsWith('.')) {
      if (PURE.has(fromArea) && !typeOnly && !PURE_PACKAGES.has(spec))
        problems.push(`${from}: the engine must not import "${spec}"`);
      continue;
    }
    const target = rel(path.resolve(path.dirname(file), spec));
    const toArea = area(target);
    if (!typeOnly) edges.push(target);
    if (toArea === fromArea) continue;
    const allowed = ALLOWED[fromArea];
    if (!allowed) {
      problems.push(`${from}: area "${fromArea}" has no dependency rule in scripts/check-deps.mjs`);
      continue;
    }
    if (!allowed.includes('*') && !allowed.includes(toArea) && !allowed.includes(target)) {
      problems.push(`${from}: "${fromArea}" must not import "${target}"`);
    }
  }
  graph.set(from, edges);
}

// Cycles among value imports (type-only imports vanish at run time).
const state = new Map();
const cycles = new Set();
function visit(node, stack) {
  state.set(node, 'active');
  for (const next of graph.get(node) ?? []) {
    if (state.get(next) === 'active') cycles.add([...stack.slice(stack.indexOf(next)), next].join(' -> '));
    else if (!state.has(next)) visit(next, [...stack, next]);
  }
  state.set(node, 'done');
}
for (const node of graph.keys()) if (!state.has(node)) visit(node, [node]);
for (const c of cycles) problems.push(`import cycle: ${c}`);

if (problems.length > 0) {
  for (const p of problems) console.error(`check-deps: ${p}`);
  process.exit(1);
}
console.log(`check-deps: ok (${graph.size} files)`);
