// Turns engine effects into messages in the person's language: i18n keys and content ids become text.
// Channel-neutral: channels only format these messages for their platform.
import { faqMessages as renderFaq } from '../content/faq-message.ts';
import type { Contact, Content, Faq, PerLangTextT } from '../content/schema.ts';
import {
  type Effect,
  type EffectOf,
  type EffectType,
  LANGUAGE_ALIASES,
  LANGUAGE_NAMES,
  LANGUAGES,
  type Label,
  type Lang,
} from '../engine/types.ts';
import type { Translator } from '../i18n/translator.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { ChannelCapabilities } from './capabilities.ts';
import { fitMessages } from './fit-text.ts';
import { type VoiceOptions, voiceDraft } from './present-audio.ts';

export { LANGUAGE_NAMES };

/** Emergency lines in a distress message (it must stay short). */
const MAX_EMERGENCY_LINES = 2;

export type PresentOptions = {
  /** Without buttons, text channels show how to answer ("Réponds 1, 2 ou 3"); voice notes only where possible. */
  capabilities: ChannelCapabilities;
  /** The person asked for voice notes where content has audio. */
  wantsAudio?: boolean;
  /** The approved recordings in the person's language (given once they asked for voice notes). */
  voice?: VoiceOptions['voice'];
  /** The "answer being reviewed" notice was already shown in this conversation (it is said once). */
  reviewNoticeShown?: boolean;
};

export type Presenter = {
  present(effects: readonly Effect[], lang: Lang, options: PresentOptions): OutMessage[];
  label(label: Label, lang: Lang): string;
  /** Every text of a label in every language (for recognising typed choices). */
  labelTexts(label: Label): string[];
  t(lang: Lang, key: string, params?: Record<string, string>): string;
};

export function createPresenter(translator: Translator, content: Content): Presenter {
  const t = translator.t;
  const pick = (text: PerLangTextT | undefined, lang: Lang): string => (text ? (text[lang] ?? text.fr) : '');
  const listed = (items: readonly { id: string; label: PerLangTextT }[], id: string) =>
    items.find((i) => i.id === id)?.label;

  const labelText = (label: Label, lang: Lang): string => {
    if ('key' in label) return t(lang, label.key, resolveParams(label.params, lang));
    if ('faq' in label) return pick(content.faqs.get(label.faq)?.title, lang) || label.faq;
    if ('topic' in label) return pick(listed(content.topics, label.topic), lang) || label.topic;
    if ('region' in label) return pick(listed(content.regions, label.region), lang) || label.region;
    if ('need' in label) return pick(listed(content.needs, label.need), lang) || label.need;
    if ('alertTopic' in label) return pick(listed(content.alertTopics, label.alertTopic), lang) || label.alertTopic;
    return LANGUAGE_NAMES[label.language];
  };

  /** Parameters written "@need:legal" (or @region, @topic, @faq, @alertTopic) become that item's label. */
  const resolveParams = (params: Record<string, string> | undefined, lang: Lang) => {
    if (!params) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) {
      const m = /^@(need|region|topic|faq|alertTopic|contact):(.*)$/.exec(v);
      if (m?.[1] === 'contact') out[k] = content.contacts.get(m[2]!)?.name ?? t(lang, 'contact.an_association');
      else out[k] = m ? labelText({ [m[1]!]: m[2]! } as Label, lang) : v;
    }
    return out;
  };

  const hint = (count: number, lang: Lang): string => {
    if (count === 1) return t(lang, 'common.hint_one');
    const numbers = Array.from({ length: count }, (_, i) => String(i + 1));
    const last = numbers.pop()!;
    return t(lang, 'common.hint', { list: `${numbers.join(', ')} ${t(lang, 'common.or')} ${last}` });
  };

  // The FAQ answer is built by content (src/content/faq-message.ts): points, who can help, one source line.
  const faqMessages = (faq: Faq, part: 'short' | 'more', lang: Lang, options: PresentOptions): OutMessage[] =>
    renderFaq(content, faq, part, lang, t, options);

  const contactMessage = (contact: Contact, lang: Lang): OutMessage => {
    const verified = contact.channels.filter((c) => c.verified);
    const paragraphs = [pick(contact.description, lang)];
    for (const c of verified) paragraphs.push(`${t(lang, `contact.${c.type}`)} : ${c.value}`);
    if (verified.length < contact.channels.length || verified.length === 0) {
      paragraphs.push(t(lang, 'contact.being_checked'));
    }
    const title = contact.verified.status ? contact.name : `${contact.name} (${t(lang, 'contact.unverified')})`;
    return { title, paragraphs };
  };

  /** What one presentation is building: finished messages, and paragraphs waiting for the next question. */
  type Draft = { out: OutMessage[]; pending: string[]; lang: Lang; options: PresentOptions };
  type Shows<K extends EffectType> = (effect: EffectOf<K>, draft: Draft) => void;
  const flush = (d: Draft) => {
    if (d.pending.length > 0) d.out.push({ paragraphs: d.pending });
    d.pending = [];
  };
  /** Effects carried out by a service (refer, subscribe...): the runtime tells the person their result. */
  const byService = () => {};

  // Typed over every effect type: a new effect does not compile until the presenter says how it is shown.
  const shows = {
    say: (effect, d) => {
      d.pending.push(t(d.lang, effect.key, resolveParams(effect.params, d.lang)));
    },
    ask: (effect, d) => {
      const { lang, options } = d;
      if (effect.key) d.pending.push(t(lang, effect.key, resolveParams(effect.params, lang)));
      const choices = effect.choices.map((c) => ({ id: c.id, label: labelText(c.label, lang) }));
      // A question with no words and no choices waits silently (e.g. while messages go to the staff).
      if (d.pending.length === 0 && choices.length === 0) return;
      const message: OutMessage = { paragraphs: d.pending, choices, version: effect.version };
      if (effect.typed) message.typedAnswer = true;
      if (!options.capabilities.buttons && choices.length > 0) {
        // At a typed question a number is an answer, so the extras are offered as words to type.
        message.hint = effect.typed
          ? t(lang, 'common.hint_words', {
              words: choices.map((c) => `« ${c.label} »`).join(` ${t(lang, 'common.or')} `),
            })
          : hint(choices.length, lang);
      }
      d.out.push(message);
      d.pending = [];
    },
    show_faq: (effect, d) => {
      flush(d);
      const faq = content.faqs.get(effect.faqId);
      const options = effect.noticeShown ? { ...d.options, reviewNoticeShown: true } : d.options;
      if (faq) d.out.push(...faqMessages(faq, effect.part, d.lang, options));
    },
    show_contacts: (effect, d) => {
      flush(d);
      for (const id of effect.contactIds) {
        const contact = content.contacts.get(id);
        if (contact) d.out.push(contactMessage(contact, d.lang));
      }
    },
    show_emergency: (effect, d) => {
      // Short lines in the same message as the choices that follow: one message for a person in distress.
      // The first number of the first lines only; a number not yet re-verified by staff says so.
      const lines = effect.contactIds.flatMap((id) => {
        const contact = content.contacts.get(id);
        const number = contact?.channels.find((c) => c.type === 'phone' || c.type === 'whatsapp');
        if (!contact || !number) return [];
        const mark = number.verified ? '' : ` (${t(d.lang, 'distress.unverified')})`;
        return [`📞 ${contact.name} : ${number.value}${mark}`];
      });
      d.pending.push(...(lines.length > 0 ? lines.slice(0, MAX_EMERGENCY_LINES) : [t(d.lang, 'distress.no_line')]));
    },
    refer: byService,
    list_subscriptions: byService,
    subscribe: byService,
    unsubscribe: byService,
    pause: byService,
    erase_my_data: byService,
    case_status: byService,
    relay_to_staff: byService,
    answer_transfer: byService,
    flow_error: byService,
    // An empty message: the voice notes attach to it (present-audio.ts); it is dropped when there are none.
    play_audio: (_effect, d) => {
      flush(d);
      d.out.push({ paragraphs: [] });
    },
    // Nothing to show: the language is already in use (the subscriptions follow it, see carriers.ts).
    set_language: () => {},
  } satisfies { [K in EffectType]: Shows<K> };

  const present = (effects: readonly Effect[], lang: Lang, options: PresentOptions): OutMessage[] => {
    const draft: Draft = { out: [], pending: [], lang, options };
    const voice = voiceDraft(lang, options.wantsAudio ? options : { capabilities: options.capabilities }, t);
    for (const effect of effects) {
      const before = draft.out.length;
      (shows[effect.type] as Shows<typeof effect.type>)(effect, draft);
      voice.after(effect, draft.out.slice(before));
    }
    flush(draft);
    // Longer than the channel shows in one message: split at paragraph boundaries (fit-text.ts).
    return fitMessages(voice.finish(draft.out), options.capabilities.maxText);
  };

  return {
    present,
    label: labelText,
    labelTexts: (label) => {
      if ('key' in label) return translator.allTexts(label.key);
      if ('language' in label) return [LANGUAGE_NAMES[label.language], ...LANGUAGE_ALIASES[label.language]];
      return LANGUAGES.map((lang) => labelText(label, lang));
    },
    t: (lang, key, params) => t(lang, key, resolveParams(params, lang)),
  };
}
