// `.env` in the working directory, read by `kunnafoni start` and the commands that need the same settings
// (staff, alerts). The environment wins over the file (as with `process.loadEnvFile` and systemd/Docker env files);
// no `.env` is fine; a `.env` that cannot be read or has a line that is not `NAME=value` stops with one clear line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

export class DotEnvError extends Error {}

const NAME_LINE = /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=/;

/** The settings of `<cwd>/.env` under the environment's (which win). Throws DotEnvError on a broken file. */
export function withDotEnv(cwd: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = path.join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new DotEnvError(`.env could not be read: ${(err as Error).message}`);
  }
  const bad = badLine(text);
  if (bad) throw new DotEnvError(`.env:${bad.line}: not a NAME=value line (${bad.why}); fix or remove it`);
  const fromFile = parseEnv(text);
  return { ...fromFile, ...definedOnly(env) };
}

function definedOnly(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

/** The first line that is neither blank, a comment, `NAME=value`, nor inside a multi-line quoted value. */
function badLine(text: string): { line: number; why: string } | null {
  const lines = text.split(/\r?\n/);
  let openQuote: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (openQuote) {
      if (line.includes(openQuote)) openQuote = null;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (!NAME_LINE.test(line)) {
      return { line: i + 1, why: trimmed.includes('=') ? 'the name is not a variable name' : 'no "="' };
    }
    const value = line.slice(line.indexOf('=') + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && value.indexOf(quote, 1) < 0) openQuote = quote;
  }
  return openQuote ? { line: lines.length, why: `a ${openQuote} quote is never closed` } : null;
}
