// `kunnafoni validate [--root DIR] [--strict]`: every problem of flows, content and locales, then a summary.
// Plain: errors fail, launch rules (review status, machine drafts, unverified contacts, old reviews) warn.
// --strict is the launch gate: those launch rules are errors too.
import path from 'node:path';
import { DEFAULT_TEXT_PARAMS, loadBundle } from '../app/bundle.ts';
import { shippedAudioReport } from '../audio/coverage.ts';
import { formatProblem, type SourceProblem, sortProblems } from '../common/source-problems.ts';
import { faqLengthProblems, localePlaceholderProblems } from '../content/shown-checks.ts';
import { loadLocales } from '../i18n/locales.ts';
import { createTranslator } from '../i18n/translator.ts';
import { type Args, stringOption } from './args.ts';
import type { CliIo } from './io.ts';

export async function validateCommand(args: Args, io: CliIo): Promise<number> {
  const root = path.resolve(io.cwd, stringOption(args, 'root') ?? '.');
  const strict = args.options.has('strict');
  const { bundle, problems: loaded } = await loadBundle(root, { strict });
  const locales = await loadLocales(root);
  const extra: SourceProblem[] = [...localePlaceholderProblems(locales.strings, locales.sources)];
  const bmStatus = locales.meta.bm?.status;
  if (bmStatus !== undefined && bmStatus !== 'reviewed') {
    extra.push({
      file: 'locales/bm/_meta.json',
      line: 1,
      col: 1,
      path: 'status',
      message: `Bambara interface texts are "${bmStatus}": a native speaker reviews them, then sets status to "reviewed"`,
      severity: strict ? 'error' : 'warning',
    });
  }
  if (bundle) {
    const translator = createTranslator(bundle.strings, DEFAULT_TEXT_PARAMS);
    extra.push(...faqLengthProblems(bundle.content, translator.t));
  }
  const problems = sortProblems([...loaded, ...extra]);
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
