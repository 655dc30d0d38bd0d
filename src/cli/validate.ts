// `kunnafoni validate [--root DIR] [--strict]`: every problem of flows, content and locales, then a summary.
import path from 'node:path';
import { loadBundle } from '../app/bundle.ts';
import { shippedAudioReport } from '../audio/coverage.ts';
import { formatProblem } from '../common/source-problems.ts';
import { type Args, stringOption } from './args.ts';
import type { CliIo } from './io.ts';

export async function validateCommand(args: Args, io: CliIo): Promise<number> {
  const root = path.resolve(io.cwd, stringOption(args, 'root') ?? '.');
  const strict = args.options.has('strict');
  const { bundle, problems } = await loadBundle(root, { strict });
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  for (const p of problems) (p.severity === 'error' ? io.stderr : io.stdout).write(`${formatProblem(p)}\n`);
  // Recordings shipped in content/audio/ (issue 18): unusable files, then the coverage per language.
  if (bundle) for (const line of (await shippedAudioReport(bundle.content)).lines) io.stdout.write(`${line}\n`);
  const summary = `${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}${strict ? ' (strict)' : ''}`;
  if (errors.length > 0) {
    io.stderr.write(`validate: ${summary}\n`);
    return 1;
  }
  io.stdout.write(`validate: ok — ${summary}\n`);
  return 0;
}
