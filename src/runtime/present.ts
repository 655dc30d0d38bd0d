// Turns engine effects into messages in the person's language: i18n keys and content ids become text.
// Channel-neutral: channels only format these messages for their platform.
import { faqMessages as renderFaq } from '../content/faq-message.ts';
import type { Contact, Content, Faq, PerLangTextT } from '../content/schema.ts';
import type { Effect, Label, Lang } from '../engine/types.ts';
import type { Translator } from '../i18n/translator.ts';
import type { OutMessage } from '../ports/out-message.ts';

export const LANGUAGE_NAMES: Record<Lang, string> = { fr: 'Français', en: 'English', bm: 'Bamanankan' };
/** Other names a person may type to pick a language. */
const LANGUAGE_ALIASES: Record<Lang, string[]> = {
  fr: ['French', 'Francais', 'Faransikan', 'fr'],
  en: ['Anglais', 'Angilɛkan', 'en'],
  bm: ['Bambara', 'Bamana', 'bm'],
};

export type PresentOptions = {
  /** Text channels show how to answer ("Réponds 1, 2 ou 3"); Telegram shows buttons. */
  numbered: boolean;
  /** The person asked for voice notes where content has audio. */
  wantsAudio?: boolean;
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

  const present = (effects: readonly Effect[], lang: Lang, options: PresentOptions): OutMessage[] => {
    const out: OutMessage[] = [];
    let pending: string[] = [];
    const flush = () => {
      if (pending.length > 0) out.push({ paragraphs: pending });
      pending = [];
    };
    for (const effect of effects) {
      switch (effect.type) {
        case 'say':
          pending.push(t(lang, effect.key, resolveParams(effect.params, lang)));
          break;
        case 'ask': {
          if (effect.key) pending.push(t(lang, effect.key, resolveParams(effect.params, lang)));
          const choices = effect.choices.map((c) => ({ id: c.id, label: labelText(c.label, lang) }));
          const message: OutMessage = { paragraphs: pending, choices, version: effect.version };
          if (effect.typed) message.typedAnswer = true;
          if (options.numbered && choices.length > 0) {
            // At a typed question a number is an answer, so the extras are offered as words to type.
            message.hint = effect.typed
              ? t(lang, 'common.hint_words', {
                  words: choices.map((c) => `« ${c.label} »`).join(` ${t(lang, 'common.or')} `),
                })
              : hint(choices.length, lang);
          }
          out.push(message);
          pending = [];
          break;
        }
        case 'show_faq': {
          flush();
          const faq = content.faqs.get(effect.faqId);
          if (faq) out.push(...faqMessages(faq, effect.part, lang, options));
          break;
        }
        case 'show_contacts':
          flush();
          for (const id of effect.contactIds) {
            const contact = content.contacts.get(id);
            if (contact) out.push(contactMessage(contact, lang));
          }
          break;
        default:
          // Service effects (refer, subscribe...) are carried out by the runtime, not shown.
          break;
      }
    }
    flush();
    return out;
  };

  return {
    present,
    label: labelText,
    labelTexts: (label) => {
      if ('key' in label) return translator.allTexts(label.key);
      if ('language' in label) return [LANGUAGE_NAMES[label.language], ...LANGUAGE_ALIASES[label.language]];
      return (['fr', 'en', 'bm'] as const).map((lang) => labelText(label, lang));
    },
    t: (lang, key, params) => t(lang, key, resolveParams(params, lang)),
  };
}
