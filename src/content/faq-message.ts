// What a person sees of an FAQ answer, in their language: the first message (its first points, who can help,
// one source line with the review date) and, on request, the "more" part. Built from the points of
// content/faqs/*.yaml; French sets which points exist and in which order (see docs/content.md).
import type { Lang } from '../engine/types.ts';
import { humanDate } from './human-date.ts';
import type { Content, Faq, FaqAnswerT, PerLangTextT } from './schema.ts';

/** A message as the presenter hands it to channels (the shape of ports' OutMessage, which content may not import). */
export type FaqMessage = { title?: string; paragraphs: string[] };

export type Translate = (lang: Lang, key: string, params?: Record<string, string>) => string;

// Its voice note (`audio:` of the answer, or one recorded and approved) is attached by the presenter.
export type FaqMessageOptions = {
  /** The "being reviewed" notice was already shown in this conversation: do not repeat it. */
  reviewNoticeShown?: boolean;
};

const pick = (text: PerLangTextT, lang: Lang): string => text[lang] ?? text.fr;

/** The answer a person reading `lang` gets: their language's, or French when there is none. */
export function shownAnswer(faq: Faq, lang: Lang): { answer: FaqAnswerT; lang: Lang } {
  const own = faq.answer[lang];
  return own ? { answer: own, lang } : { answer: faq.answer.fr, lang: 'fr' };
}

/** Texts of a part, in French order, leaving out points that do not apply to that language. */
function partTexts(faq: Faq, answer: FaqAnswerT, part: 'points' | 'more'): string[] {
  const order = Object.keys(faq.answer.fr[part] ?? {});
  const own = answer[part] ?? {};
  return order.filter((id) => own[id] !== undefined).map((id) => own[id]!);
}

/** Whether the answer shown in `lang` has a "more" part (so "more" is worth offering). */
export function faqHasMore(faq: Faq, lang: Lang): boolean {
  const { answer } = shownAnswer(faq, lang);
  return partTexts(faq, answer, 'more').length > 0;
}

/** Whether the answer a person reads in `lang` was drafted by machine, in whole or in part. */
function machineDrafted(answer: FaqAnswerT): boolean {
  return answer.status === 'machine-draft' || answer.machine_drafted.length > 0;
}

export function faqMessages(
  content: Content,
  faq: Faq,
  part: 'short' | 'more',
  lang: Lang,
  t: Translate,
  options: FaqMessageOptions = {},
): FaqMessage[] {
  const { answer, lang: shown } = shownAnswer(faq, lang);
  const notes: string[] = [];
  if (shown !== lang) notes.push(t(lang, 'faq.not_translated'));
  else if (machineDrafted(answer)) notes.push(t(lang, 'faq.machine_draft'));
  else if (answer.status === 'draft' && !options.reviewNoticeShown) notes.push(t(lang, 'faq.draft'));

  // The first message names the main source; "more" lists them all.
  const sourceLine = (sources: Faq['sources']) =>
    t(lang, 'faq.sources', {
      sources: sources.map((s) => pick(s.title, lang)).join(' ; '),
      date: humanDate(faq.reviewed, lang),
      by: faq.written_by,
    });
  if (part === 'more') {
    const more = partTexts(faq, answer, 'more');
    const body = more.length > 0 ? more : partTexts(faq, answer, 'points');
    return [{ title: pick(faq.title, lang), paragraphs: [...body, sourceLine(faq.sources)] }];
  }
  const helpers = faq.contacts
    .map((id) => content.contacts.get(id))
    .filter((c) => c !== undefined)
    .map((c) => {
      const name = c.short_name ? pick(c.short_name, lang) : c.name;
      return c.verified.status ? name : `${name} (${t(lang, 'contact.unverified')})`;
    });
  const message: FaqMessage = {
    title: pick(faq.title, lang),
    paragraphs: [
      ...notes,
      ...partTexts(faq, answer, 'points'),
      ...(helpers.length > 0 ? [t(lang, 'faq.who_can_help', { names: helpers.join(', ') })] : []),
      sourceLine(faq.sources.slice(0, 1)),
    ],
  };
  return [message];
}

/** Characters of the first message as the person reads it (title and paragraphs, notice included). */
export function firstMessageLength(content: Content, faq: Faq, lang: Lang, t: Translate): number {
  const [m] = faqMessages(content, faq, 'short', lang, t);
  return m ? [m.title ?? '', ...m.paragraphs].join('\n\n').length : 0;
}
