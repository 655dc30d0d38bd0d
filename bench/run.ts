// `npm run bench`: every benchmark of the project, one after the other; writes bench/results.json and
// bench/results.md (a Markdown table) and prints the table.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

type Bench = () => Promise<Record<string, number>>;

// Each entry: a module in bench/ and the function it exports.
const BENCHES: [string, string][] = [
  ['engine.ts', 'benchEngine'],
  ['runtime.ts', 'benchRuntime'],
  ['runtime-cpu.ts', 'benchRuntimeCpu'],
  ['faq-search.ts', 'benchFaqSearch'],
  ['telegram.ts', 'benchTelegram'],
  ['referrals.ts', 'benchReferrals'],
  ['alerts.ts', 'benchAlerts'],
  ['startup.ts', 'benchStartup'],
];

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const results: Record<string, Record<string, number | string>> = {};
for (const [file, fn] of BENCHES) {
  const name = file.replace(/\.ts$/, '');
  if (only.length > 0 && !only.includes(name)) continue;
  if (!existsSync(path.join(dir, file))) continue;
  process.stderr.write(`bench: ${name}...\n`);
  try {
    const mod = (await import(`./${file}`)) as Record<string, Bench>;
    results[name] = await mod[fn]!();
  } catch (err) {
    results[name] = { error: err instanceof Error ? err.message : String(err) };
  }
}

const rows = Object.entries(results).flatMap(([bench, figures]) =>
  Object.entries(figures).map(([metric, value]) => `| ${bench} | ${metric} | ${value} |`),
);
const table = ['| benchmark | metric | value |', '| --- | --- | --- |', ...rows].join('\n');
await writeFile(
  path.join(dir, 'results.json'),
  `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`,
);
await writeFile(path.join(dir, 'results.md'), `${table}\n`);
console.log(table);
process.exit(0);
