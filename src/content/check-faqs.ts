// Checks of each FAQ beyond its schema: references, languages, lengths, audio files, dates.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { type PathPart, problemAt, type SourceProblem } from '../common/source-problems.ts';
import { parseIsoDate } from './dates.ts';
import type { Loaded } from './read.ts';
import type { Faq } from './schema.ts';
import { normalizeForSearch } from './search/normalize.ts';

export const TITLE_MAX = 60;
export const ANSWER_TEXT_MAX = 600;
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

    for (const lang of ['fr', 'en'] as const) {
      const title = faq.title[lang];
      if (title === undefined) at(['title'], `missing ${lang} title`);
      if (!faq.answer[lang]) at(['answer'], `missing ${lang} answer`);
    }
    // Bambara may lag behind: one warning naming what is missing (readers then get French).
    const missingBm = [
      faq.title.bm === undefined ? 'title' : '',
      faq.questions.bm === undefined ? 'phrasings' : '',
      faq.answer.bm === undefined ? 'answer' : '',
    ].filter((x) => x !== '');
    if (missingBm.length > 0) at(['id'], `no bm ${missingBm.join(', ')} yet (Bambara readers get French)`, 'warning');

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
      if (lang !== 'bm' && answer.text.length > ANSWER_TEXT_MAX) {
        at(
          ['answer', lang, 'text'],
          `first message is ${answer.text.length} characters, keep it under ${ANSWER_TEXT_MAX} (move the rest to "more")`,
          'warning',
        );
      }
      if (answer.audio !== undefined && !(await exists(path.join(root, 'content', answer.audio)))) {
        at(['answer', lang, 'audio'], `audio file not found: content/${answer.audio}`);
      }
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
