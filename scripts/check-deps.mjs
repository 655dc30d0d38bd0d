// Keeps the dependency direction of DESIGN.md. Fails (exit 1) with one line per broken rule:
//   - areas import only the areas below them (ALLOWED), side-effect imports (`import 'x'`) and re-exports included;
//   - packages per area: grammY and whatsapp-web.js only under channels/ (PLATFORM_PACKAGES); the engine imports no
//     package or Node built-in at run time, and no Node I/O module (fs, net, http, child_process...) even for types;
//   - no import cycle, type-only imports included (a type cycle is a module that should be a leaf).
// Imports are read with the TypeScript parser, so multi-line, side-effect, `export ... from` and `import()` all count.
// Known breaks being fixed in other branches are warnings (KNOWN), each with why; everything else fails.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'src');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** Imports of a file: { spec, typeOnly }. Under verbatimModuleSyntax only `import type` / `export type` vanish. */
function importsOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ spec: node.moduleSpecifier.text, typeOnly: Boolean(node.importClause?.isTypeOnly) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ spec: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) found.push({ spec: literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
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
  // Recordings (issue 18): files, Redis metadata, ffmpeg; used by the channels, the console and the CLI.
  audio: ['engine', 'infra', 'ports'],
  runtime: ['engine', 'flows', 'content', 'i18n', 'ports', 'infra'],
  channels: ['engine', 'flows', 'content', 'i18n', 'ports', 'infra', 'runtime', 'common', 'audio'],
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
    'audio',
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
    'audio',
  ],
  cli: ['*'],
  // The composition root builds everything, but is never imported back (the CLI starts it with import()).
  main: [
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
    'app',
    'config',
    'audio',
  ],
  config: ['infra'],
};

/** Packages of one platform: imported only by that platform's channel (types included). */
const PLATFORM_PACKAGES = [
  { match: (pkg) => pkg === 'grammy' || pkg.startsWith('@grammyjs/'), name: 'grammY', under: 'channels/telegram/' },
  { match: (pkg) => pkg === 'whatsapp-web.js', name: 'whatsapp-web.js', under: 'channels/whatsapp/' },
];
/** The engine is pure: no package or Node built-in at run time but zod (each action declares its schema), and no
 * I/O module at all. */
const PURE = new Set(['engine']);
const PURE_PACKAGES = new Set(['zod']);
const NODE_IO = new Set([
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'dns',
  'dns/promises',
  'tls',
  'cluster',
  'worker_threads',
  'readline',
  'readline/promises',
  'inspector',
  'os',
]);

// Known breaks, fixed in other branches at the time of writing (issue 13): printed as warnings so CI stays green
// meanwhile. Remove an entry once its branch is merged; an entry that no longer matches is reported too.
const KNOWN = [];

const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const builtin = (spec) => spec.startsWith('node:') || builtinModules.includes(packageOf(spec));

const problems = [];
const warnings = [];
const usedKnown = new Set();
function report(message, known) {
  const entry = known ? KNOWN.find(known) : undefined;
  if (entry) {
    usedKnown.add(entry);
    warnings.push(message);
  } else {
    problems.push(message);
  }
}

const graph = new Map();
const typeGraph = new Map();
for (const file of files(src)) {
  const from = rel(file);
  const fromArea = area(from);
  const edges = [];
  const typeEdges = [];
  for (const { spec, typeOnly } of importsOf(file)) {
    if (!spec.startsWith('.')) {
      const bare = spec.replace(/^node:/, '');
      if (PURE.has(fromArea) && builtin(spec) && NODE_IO.has(bare)) {
        problems.push(`${from}: the engine must not import the I/O module "${spec}"`);
      } else if (PURE.has(fromArea) && !typeOnly && !PURE_PACKAGES.has(spec)) {
        problems.push(`${from}: the engine must not import "${spec}"`);
      }
      for (const platform of PLATFORM_PACKAGES) {
        if (platform.match(packageOf(spec)) && !from.startsWith(platform.under)) {
          report(
            `${from}: ${platform.name} ("${spec}") is imported only under src/${platform.under}`,
            (k) => k.rule === 'platform' && k.file === from && k.pkg === platform.name,
          );
        }
      }
      continue;
    }
    const target = rel(path.resolve(path.dirname(file), spec));
    const toArea = area(target);
    (typeOnly ? typeEdges : edges).push(target);
    if (toArea === fromArea) continue;
    const allowed = ALLOWED[fromArea];
    if (!allowed) {
      problems.push(`${from}: area "${fromArea}" has no dependency rule in scripts/check-deps.mjs`);
      continue;
    }
    if (!allowed.includes('*') && !allowed.includes(toArea) && !allowed.includes(target)) {
      problems.push(`${from}: "${fromArea}" must not import "${target}"${typeOnly ? ' (even for types)' : ''}`);
    }
  }
  graph.set(from, edges);
  typeGraph.set(from, [...edges, ...typeEdges]);
}

/** Cycles of a graph, each as its list of files from the first one found. */
function cyclesOf(g) {
  const state = new Map();
  const found = new Map();
  function visit(node, stack) {
    state.set(node, 'active');
    for (const next of g.get(node) ?? []) {
      if (state.get(next) === 'active') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        found.set([...new Set(cycle)].sort().join(' '), cycle);
      } else if (!state.has(next)) visit(next, [...stack, next]);
    }
    state.set(node, 'done');
  }
  for (const node of g.keys()) if (!state.has(node)) visit(node, [node]);
  return [...found.values()];
}

const valueCycles = cyclesOf(graph);
for (const cycle of valueCycles) problems.push(`import cycle: ${cycle.join(' -> ')}`);
const sameFiles = (a, b) => a.size === b.size && [...a].every((f) => b.has(f));
const valueSets = valueCycles.map((c) => new Set(c));
for (const cycle of cyclesOf(typeGraph)) {
  const members = new Set(cycle);
  if (valueSets.some((v) => sameFiles(v, members))) continue;
  report(
    `import cycle (through type-only imports): ${cycle.join(' -> ')}`,
    (k) => k.rule === 'cycle' && sameFiles(new Set(k.files), members),
  );
}

for (const w of warnings) console.warn(`check-deps: warning (known, being fixed): ${w}`);
for (const k of KNOWN.filter((k) => !usedKnown.has(k))) {
  console.warn(`check-deps: the known case ${JSON.stringify(k)} no longer occurs: remove it from KNOWN`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`check-deps: ${p}`);
  process.exit(1);
}
console.log(`check-deps: ok (${graph.size} files${warnings.length > 0 ? `, ${warnings.length} known warnings` : ''})`);
