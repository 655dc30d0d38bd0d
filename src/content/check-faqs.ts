// Checks of each FAQ beyond its schema: references, languages, lengths, audio files, dates.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { type PathPart, problemAt, type SourceProblem } from '../common/source-problems.ts';
import type { Lang } from '../engine/types.ts';
import { parseIsoDate } from './dates.ts';
import type { Loaded } from './read.ts';
import type { Faq } from './schema.ts';
import { normalizeForSearch } from './search/normalize.ts';

export const TITLE_MAX = 60;
/** One idea per point: longer than this is probably two. */
export const POINT_MAX = 320;
/** Region id meaning "everywhere", accepted besides the ids of regions.yaml. */
export const ALL_REGIONS = 'all';

export type KnownIds = {
  topics: ReadonlySet<string>;
  regions: ReadonlySet<string>;
  needs: ReadonlySet<string>;
  contacts: ReadonlySet<string>;
};

export async function checkFaqs(faqs: Loaded<Faq>[], known: KnownIds, root: string): Promise<SourceProblem[]> {
  const problems: SourceProblem[] = [];
  const phrasings = new Map<string, string>();
  for (const { value: faq, source } of faqs) {
    const at = (p: PathPart[], message: string, severity: 'error' | 'warning' = 'error') =>
      problems.push(problemAt(source, p, message, severity));

    faq.topics.forEach((t, i) => {
      if (!known.topics.has(t)) at(['topics', i], `unknown topic "${t}" (see content/topics.yaml)`);
    });
    faq.regions.forEach((r, i) => {
      if (r !== ALL_REGIONS && !known.regions.has(r))
        at(['regions', i], `unknown region "${r}" (see content/regions.yaml)`);
    });
    faq.contacts.forEach((c, i) => {
      if (!known.contacts.has(c)) at(['contacts', i], `unknown contact "${c}" (no content/contacts/${c}.yaml)`);
    });

    for (const lang of ['fr', 'en', 'bm'] as const) {
      if (faq.title[lang] === undefined) at(['title'], `missing ${lang} title`);
      if (!faq.answer[lang]) at(['answer'], `missing ${lang} answer (every language has every point)`);
    }
    if (faq.questions.bm === undefined)
      at(['questions'], 'no bm phrasings yet (the search matches Bambara worse)', 'warning');

    for (const lang of ['fr', 'en', 'bm'] as const) {
      const title = faq.title[lang];
      if (title !== undefined && title.length > TITLE_MAX) {
        at(
          ['title', lang],
          `title is ${title.length} characters, at most ${TITLE_MAX}`,
          lang === 'bm' ? 'warning' : 'error',
        );
      }
      const answer = faq.answer[lang];
      if (!answer) continue;
      checkPoints(faq, lang, (p, m, sev) => at(['answer', lang, ...p], m, sev));
      if (answer.audio !== undefined && !(await exists(path.join(root, 'content', answer.audio)))) {
        at(['answer', lang, 'audio'], `audio file not found: content/${answer.audio}`);
      }
    }
    for (const [p, text] of shownTexts(faq)) {
      const problem = textProblem(text);
      if (problem) at(p, problem);
    }

    if (parseIsoDate(faq.reviewed) === null) at(['reviewed'], `"${faq.reviewed}" is not a real date`);

    for (const lang of ['fr', 'en', 'bm'] as const) {
      faq.questions[lang]?.forEach((q, i) => {
        const key = `${lang}:${normalizeForSearch(q)}`;
        const other = phrasings.get(key);
        if (other && other !== faq.id) {
          at(
            ['questions', lang, i],
            `the same phrasing is also in FAQ "${other}": the search cannot tell them apart`,
            'warning',
          );
        }
        phrasings.set(key, faq.id);
      });
    }
  }
  return problems;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

type At = (path: PathPart[], message: string, severity?: 'error' | 'warning') => void;

/**
 * Every language has every point French has (in the same part: first message or "more"), unless it lists the
 * point in `not_applicable`; no language has a point French lacks. So a safety point is never dropped silently.
 */
function checkPoints(faq: Faq, lang: Lang, at: At): void {
  const answer = faq.answer[lang]!;
  const fr = faq.answer.fr;
  if (lang === 'fr' && answer.not_applicable.length > 0) {
    at(['not_applicable'], 'French sets the points: every point applies to it');
  }
  const skipped = new Set(answer.not_applicable);
  for (const part of ['points', 'more'] as const) {
    const french = fr[part] ?? {};
    const own = answer[part] ?? {};
    for (const [id, text] of Object.entries(own)) {
      if (!(id in french)) {
        const elsewhere = part === 'points' ? 'more' : 'points';
        const hint = id in (fr[elsewhere] ?? {}) ? ` (French has it under ${elsewhere})` : '';
        at([part, id], `French has no point "${id}" here${hint}: points are set in French first`);
      }
      if (text.length > POINT_MAX) {
        at([part, id], `point is ${text.length} characters: one idea per point (at most ${POINT_MAX})`, 'warning');
      }
    }
    if (lang === 'fr') continue;
    for (const id of Object.keys(french)) {
      if (id in own || skipped.has(id)) continue;
      at(
        [part],
        `missing point "${id}" that French has: translate it (mark it in machine_drafted if a machine drafted it) or list it in not_applicable`,
      );
    }
  }
  const frIds = new Set([...Object.keys(fr.points), ...Object.keys(fr.more ?? {})]);
  answer.not_applicable.forEach((id, i) => {
    if (!frIds.has(id)) at(['not_applicable', i], `French has no point "${id}"`);
  });
  const ownIds = new Set([...Object.keys(answer.points), ...Object.keys(answer.more ?? {})]);
  answer.machine_drafted.forEach((id, i) => {
    if (!ownIds.has(id)) at(['machine_drafted', i], `this answer has no point "${id}"`);
  });
}

/** Every text of an FAQ a person may read, with its path. */
function shownTexts(faq: Faq): [PathPart[], string][] {
  const out: [PathPart[], string][] = [[['written_by'], faq.written_by]];
  for (const lang of ['fr', 'en', 'bm'] as const) {
    const title = faq.title[lang];
    if (title !== undefined) out.push([['title', lang], title]);
    const answer = faq.answer[lang];
    if (!answer) continue;
    for (const part of ['points', 'more'] as const)
      for (const [id, text] of Object.entries(answer[part] ?? {})) out.push([['answer', lang, part, id], text]);
  }
  faq.sources.forEach((s, i) => {
    for (const [lang, text] of Object.entries(s.title)) out.push([['sources', i, 'title', lang], text]);
  });
  return out;
}

/** Internal notes and file names people must never read; placeholders content cannot fill. */
const INTERNAL_NOTE = /\.(?:md|ya?ml|ts)\b|\(#\d+\)|\bissue\b|à faire relire|\bTODO\b|\bFIXME\b/i;

export function textProblem(text: string): string | null {
  const placeholder = /\{\{\s*([^}]*)\}\}/.exec(text);
  if (placeholder) return `unknown placeholder {{${placeholder[1]}}}: content texts cannot fill placeholders`;
  const note = INTERNAL_NOTE.exec(text);
  if (note) return `internal note "${note[0]}" would reach people: move it to a YAML comment`;
  return null;
}
