// How a conversation begins or is entered from outside it: /start (with a deep link), a first message written in
// another language than French, and a notice the person must answer (staff proposed a transfer).
import { MAIN_FLOW, MENU_NODE } from '../flows/schema.ts';
import { isOneOf } from './choices.ts';
import { MAX_TEXT_LENGTH } from './limits.ts';
import type { Run } from './run.ts';
import { LANGUAGES, type NoticeName, SOURCE_LANGUAGE } from './types.ts';

/** Nodes of the main flow the engine enters itself (first message in another language). */
const WELCOME_NODE = 'welcome';
const FREE_TEXT_NODE = 'free-text';

export function start(run: Run, payload: string | undefined): void {
  const s = run.session;
  s.retries = 0;
  delete s.back;
  if (payload) {
    for (const { link, flow } of run.flows.deeplinks) {
      if (!payload.startsWith(link.prefix)) continue;
      const rest = payload.slice(link.prefix.length);
      const known =
        link.check === 'faq' ? run.env.content.faqIds.has(rest) : run.env.content.topics.some((t) => t.id === rest);
      if (!known) break;
      s.vars[link.var] = rest;
      const target = run.resolve(link.goto, flow);
      if (s.lang) return run.enter(target);
      // First contact: the language question and the privacy notice first, then the link ("return").
      s.back = target;
      break;
    }
  }
  run.enter({ flow: MAIN_FLOW, node: run.flow(MAIN_FLOW)?.start ?? MENU_NODE });
}

/**
 * A first message before any language was chosen, in a language other than French (a greeting "i ni ce", a
 * question in Bambara): the conversation starts in that language, with the welcome and the privacy notice.
 */
export function firstMessage(run: Run, text: string): boolean {
  const s = run.session;
  // A keyword word of one language only ("i ni ce", "hello"; not "menu", which all three share).
  const keywordLangs = LANGUAGES.filter((lang) =>
    run.flows.keywords.some(({ keyword }) => isOneOf(text, keyword.words[lang] ?? [])),
  );
  const greetingLang = keywordLangs.length === 1 ? keywordLangs[0] : undefined;
  const guessed = keywordLangs.length === 0 ? run.env.detectLanguage?.(text.slice(0, MAX_TEXT_LENGTH)) : null;
  const lang = greetingLang ?? guessed ?? null;
  if (!lang || lang === SOURCE_LANGUAGE) return false;
  s.lang = lang;
  run.effects.push({ type: 'set_language', lang });
  // A question is answered after the welcome: nothing the person wrote is thrown away.
  if (!greetingLang && run.node({ flow: MAIN_FLOW, node: FREE_TEXT_NODE })) {
    s.vars.query = text;
    s.back = { flow: MAIN_FLOW, node: FREE_TEXT_NODE };
  }
  run.enter({ flow: MAIN_FLOW, node: WELCOME_NODE });
  return true;
}

/**
 * A notice from outside the conversation: staff proposed a transfer, so its question is put to the person, and
 * they come back to where they were after answering. Nothing is said when the fact is gone (answered already).
 */
export function notice(run: Run, name: NoticeName): void {
  const route = run.flows.routes[name];
  const proposal = run.env.facts?.transferProposal;
  if (!route || !proposal) return;
  const s = run.session;
  // A conversation forgotten since the case was made speaks the case's language.
  if (!s.lang) {
    s.lang = proposal.lang;
    run.effects.push({ type: 'set_language', lang: proposal.lang });
  }
  s.vars.transfer_case = proposal.no;
  s.vars.transfer_from = proposal.from;
  s.vars.transfer_to = proposal.to;
  run.detour(run.resolve(route.goto, route.flow));
}
