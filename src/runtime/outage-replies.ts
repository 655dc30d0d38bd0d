// Answers while Redis is down (issue 9, issue 17.3): what this process last knew of each person (language, flow)
// gives a stateless answer from the in-memory content (an FAQ, or "try again in a few minutes"); an intake's
// answers are kept (held-inputs.ts) and handled once Redis is back.
import { detectLanguage } from '../content/search/detect-language.ts';
import { MAX_TEXT_LENGTH } from '../engine/step.ts';
import type { Input, Lang } from '../engine/types.ts';
import type { FlowSet } from '../flows/schema.ts';
import { guessLanguage } from '../i18n/translator.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { OutMessage } from '../ports/out-message.ts';
import { TEXT_ONLY } from './capabilities.ts';
import { errorSummary } from './error-summary.ts';
import type { HeldInputs } from './held-inputs.ts';
import type { InputMeta, RuntimeDeps } from './runtime-deps.ts';

/** People this process remembers (language, flow) for stateless answers while Redis is down. */
const REMEMBERED_PEOPLE = 10_000;

export type OutageReplies = {
  /** Keeps what the runtime last knew of the person (undefined: forgets them, after an erasure). */
  remember(chat: ChatRef, state: { lang: Lang; flow?: string; node?: string } | undefined): void;
  /** The language for an answer given without the session. */
  likelyLanguage(chat: ChatRef, input: Input, platformLang?: string): Lang;
  /** An answer without the session (Redis unreachable). */
  statelessReply(chat: ChatRef, input: Input, meta: InputMeta, replay?: boolean): OutMessage[];
  /** Keeps the answer of a person in the middle of a referral for when Redis is back; null when it cannot. */
  holdAnswer(chat: ChatRef, input: Input, meta: InputMeta, replay: boolean): OutMessage[] | null;
  /** The person's answers kept during an outage, handled now in the order they came; their replies. */
  replayHeld(chat: ChatRef): Promise<OutMessage[]>;
};

/** `held`: the answers kept meanwhile; `handleOne`: the runtime's handling of one input, to replay them. */
export function createOutageReplies(
  deps: RuntimeDeps,
  held: HeldInputs<InputMeta>,
  handleOne: (chat: ChatRef, input: Input, meta: InputMeta, replay: boolean) => Promise<OutMessage[]>,
): OutageReplies {
  const { flows, catalog, presenter, logger } = deps;
  // What this process last knew of each person (language, flow), for answers given while Redis is down.
  const known = new Map<string, { lang: Lang; flow?: string; node?: string }>();
  const referralFlows = flowsThatRefer(flows);
  const sendingNodes = nodesThatSend(flows);
  const replaying = new Map<string, Promise<OutMessage[]>>();

  /**
   * The person's answers kept during an outage, handled now in the order they came; their replies. A replay
   * already running for the person (the sweep, or their own new message) is waited for: its replies go there.
   */
  function replayHeld(chat: ChatRef): Promise<OutMessage[]> {
    const key = chatKey(chat);
    const running = replaying.get(key);
    if (running) return running.then(() => []);
    if (!held.has(chat)) return Promise.resolve([]);
    const work = (async () => {
      const out: OutMessage[] = [];
      for (const { input, meta } of held.take(chat)) out.push(...(await handleOne(chat, input, meta, true)));
      return out;
    })().finally(() => replaying.delete(key));
    replaying.set(key, work);
    return work;
  }

  /**
   * Keeps the answer of a person in the middle of a referral for when Redis is back, and says so; null when it
   * cannot be kept (not in a referral, nothing to send the reply later with, or too many kept already).
   */
  function holdAnswer(chat: ChatRef, input: Input, meta: InputMeta, replay: boolean): OutMessage[] | null {
    if (!deps.outbox || (input.kind !== 'text' && input.kind !== 'choice')) return null;
    const flow = known.get(chatKey(chat))?.flow;
    if (!flow || !referralFlows.has(flow) || !held.hold(chat, input, meta)) return null;
    // Kept again (Redis went away again before it could be handled): they were told already.
    if (replay) return [];
    return [{ paragraphs: [presenter.t(likelyLanguage(chat, input, meta.platformLang), 'error.answer_kept')] }];
  }

  function remember(chat: ChatRef, state: { lang: Lang; flow?: string; node?: string } | undefined): void {
    const key = chatKey(chat);
    known.delete(key);
    if (!state) return;
    if (known.size >= REMEMBERED_PEOPLE) known.delete(known.keys().next().value!);
    known.set(key, state);
  }

  /** The language for an answer given without the session. */
  function likelyLanguage(chat: ChatRef, input: Input, platformLang?: string): Lang {
    const lang = known.get(chatKey(chat))?.lang;
    if (lang) return lang;
    if (!platformLang && input.kind === 'text') return detectLanguage(input.text) ?? guessLanguage(undefined);
    return guessLanguage(platformLang);
  }

  /**
   * An answer without the session (Redis unreachable): a question gets its FAQ from the in-memory content, a
   * press on an FAQ button or an FAQ deep link shows that FAQ; a person in the referral intake is told their
   * request cannot be sent now; anything else is asked to try again in a few minutes. The saved conversation is
   * untouched, so it resumes where it was once Redis is back. A person in the intake has their answer kept for then
   * (holdAnswer) where it can be.
   */
  function statelessReply(chat: ChatRef, input: Input, meta: InputMeta, replay = false): OutMessage[] {
    // A notice nobody could step (Redis away): nothing to say; whoever sent it is told nothing was sent.
    if (input.kind === 'notice') return [];
    const kept = holdAnswer(chat, input, meta, replay);
    if (kept) return kept;
    const { platformLang, capabilities } = meta;
    const lang = likelyLanguage(chat, input, platformLang);
    const { flow, node } = known.get(chatKey(chat)) ?? {};
    // At the step that sends a referral: it could not be sent. Earlier in the intake nothing was sent yet: never
    // "your request could not be sent" there, and never an FAQ for a typed answer; they are asked to try again.
    if (flow && node && sendingNodes.has(`${flow}:${node}`)) {
      return [{ paragraphs: [presenter.t(lang, 'referral.try_later')] }];
    }
    if (flow && referralFlows.has(flow)) return [{ paragraphs: [presenter.t(lang, 'error.try_later')] }];
    try {
      const faqId = faqWithoutSession(input);
      if (faqId) {
        return presenter.present([{ type: 'show_faq', faqId, part: 'short' }], lang, {
          capabilities: capabilities ?? TEXT_ONLY,
        });
      }
    } catch (err) {
      logger.error({ channel: chat.channel, err: errorSummary(err) }, 'stateless answer failed');
    }
    return [{ paragraphs: [presenter.t(lang, 'error.try_later')] }];
  }

  function faqWithoutSession(input: Input): string | null {
    switch (input.kind) {
      case 'text':
        return input.text.length <= MAX_TEXT_LENGTH ? catalog.search(input.text, null).match : null;
      case 'choice':
        return catalog.faqIds.has(input.id) ? input.id : null;
      case 'start': {
        const payload = input.payload ?? '';
        for (const { link } of flows.deeplinks) {
          const rest = payload.startsWith(link.prefix) ? payload.slice(link.prefix.length) : '';
          if (link.check === 'faq' && catalog.faqIds.has(rest)) return rest;
        }
        return null;
      }
      default:
        return null;
    }
  }

  return { remember, likelyLanguage, statelessReply, holdAnswer, replayHeld };
}

/** Flows with a `refer` action: while Redis is down, a person in one of them is in the middle of a referral. */
function flowsThatRefer(flows: FlowSet): Set<string> {
  const out = new Set<string>();
  for (const [id, flow] of Object.entries(flows.flows)) {
    if (Object.values(flow.nodes).some((node) => (node.do ?? []).some((action) => 'refer' in action))) out.add(id);
  }
  return out;
}

/**
 * Where a press or answer sends a referral: `flow:node` of every node with a choice (or a `next`) leading to a node
 * with a `refer` action. While Redis is down, a person there is told their request could not be sent; a person
 * elsewhere in the intake has sent nothing yet.
 */
function nodesThatSend(flows: FlowSet): Set<string> {
  const out = new Set<string>();
  for (const [flowId, flow] of Object.entries(flows.flows)) {
    const refers = (target: string | undefined) => {
      if (!target) return false;
      const [f, n] = target.includes(':') ? target.split(':', 2) : [flowId, target];
      const node = flows.flows[f ?? '']?.nodes[n ?? ''];
      return Boolean(node && (node.do ?? []).some((action) => 'refer' in action));
    };
    for (const [nodeId, node] of Object.entries(flow.nodes)) {
      const choices = (node.ask && 'choices' in node.ask ? node.ask.choices : undefined) ?? [];
      const targets = [node.next, ...choices.map((c: { next?: string }) => c.next)];
      if (targets.some((t) => refers(typeof t === 'string' ? t : undefined))) out.add(`${flowId}:${nodeId}`);
    }
  }
  return out;
}
