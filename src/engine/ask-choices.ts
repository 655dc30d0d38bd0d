// The choices of a question: built from content (languages, topics, FAQs, regions, needs...) and from the flow,
// then paged so that one message never shows more than MAX_CHOICES. Pure.
import type { FlowAsk, FlowText, Target } from '../flows/schema.ts';
import { splitList } from './actions/action.ts';
import { fillTemplate } from './template.ts';
import { type ChoiceView, type Env, LANGUAGES } from './types.ts';

/** Choices in one message, at most (long lists are paged). */
export const MAX_CHOICES = 7;
export const MORE_CHOICES = 'more-choices';
export const FIRST_CHOICES = 'first-choices';

export type ResolvedChoice = ChoiceView & { next?: Target; set?: Record<string, string>; synonyms?: string[] };
/** All the choices of a question; the first `dynamic` come from content (and are the ones paged). */
export type QuestionChoices = ResolvedChoice[] & { dynamic: number };

/** A text of a flow as an i18n key, its parameters filled from the session's variables. */
export function textRef(
  text: FlowText,
  vars: Readonly<Record<string, string>>,
): { key: string; params?: Record<string, string> } {
  if (typeof text === 'string') return { key: text };
  if ('key' in text) {
    if (!text.params) return { key: text.key };
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(text.params)) params[k] = fillTemplate(v, vars);
    return { key: text.key, params };
  }
  // The loader replaces inline texts by generated keys; this is only reached with unloaded flows.
  return { key: 'error.generic' };
}

type FlowChoice = NonNullable<FlowAsk['choices']>[number];
// Loaded flows do not change: a choice's synonyms in every language are gathered once (the list is only read).
const synonymLists = new WeakMap<FlowChoice, string[]>();

function synonymsOf(choice: FlowChoice): string[] {
  let synonyms = synonymLists.get(choice);
  if (synonyms === undefined) {
    synonyms = LANGUAGES.flatMap((lang) => choice.synonyms?.[lang] ?? []);
    synonymLists.set(choice, synonyms);
  }
  return synonyms;
}

export function choicesOf(ask: FlowAsk, vars: Readonly<Record<string, string>>, env: Env): QuestionChoices {
  const content = env.content;
  const out: ResolvedChoice[] = [];
  switch (ask.from) {
    case 'languages':
      for (const lang of LANGUAGES) out.push({ id: lang, label: { language: lang } });
      break;
    case 'topics':
      for (const t of content.topics) out.push({ id: t.id, label: { topic: t.id } });
      break;
    case 'faqs': {
      const topic = content.topics.find((t) => t.id === fillTemplate(ask.topic ?? '', vars));
      for (const id of topic?.faqIds ?? []) out.push({ id, label: { faq: id } });
      break;
    }
    case 'suggestions':
      for (const id of splitList(vars.suggestions ?? '')) out.push({ id, label: { faq: id } });
      break;
    case 'regions':
      for (const id of content.regions) out.push({ id, label: { region: id } });
      break;
    case 'needs':
      for (const id of content.needs) out.push({ id, label: { need: id } });
      break;
    case 'alert_topics':
      for (const id of content.alertTopics) out.push({ id, label: { alertTopic: id } });
      break;
    case undefined:
      break;
  }
  const dynamic = out.length;
  for (const c of ask.choices ?? []) {
    const label = textRef(c.label, vars);
    const synonyms = synonymsOf(c);
    out.push({ id: c.id, label, ...(c.next ? { next: c.next } : {}), ...(c.set ? { set: c.set } : {}), synonyms });
  }
  if (ask.optional) out.push({ id: 'skip', label: { key: 'common.skip' }, ...(ask.next ? { next: ask.next } : {}) });
  if (ask.cancel) out.push({ id: 'cancel', label: { key: 'common.cancel' }, next: ask.cancel });
  return Object.assign(out, { dynamic });
}

/**
 * At most MAX_CHOICES per message: a long list from content shows a page, with "Autres choix" for the next one
 * and "Début de la liste" on the last; the question's own choices (cancel, back...) stay on every page.
 */
export function visibleChoices(all: QuestionChoices, page = 0): ResolvedChoice[] {
  if (all.length <= MAX_CHOICES) return all;
  const dynamic = all.slice(0, all.dynamic);
  const fixed = all.slice(all.dynamic);
  const size = Math.max(1, MAX_CHOICES - fixed.length - 1);
  const pages = Math.ceil(dynamic.length / size);
  const shown = Math.min(page, pages - 1);
  const turn: ResolvedChoice =
    shown < pages - 1
      ? { id: MORE_CHOICES, label: { key: 'common.more_choices' } }
      : { id: FIRST_CHOICES, label: { key: 'common.first_choices' } };
  return [...dynamic.slice(shown * size, (shown + 1) * size), turn, ...fixed];
}
