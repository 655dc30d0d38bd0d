// Content labels in a person's language, with French as the fallback (it is always present).
import type { Lang } from '../engine/types.ts';
import type { Content, LabelledItemT, PerLangTextT } from './schema.ts';

export function inLang(text: PerLangTextT, lang: Lang): string {
  return text[lang] ?? text.fr;
}

function listLabel(items: readonly LabelledItemT[], id: string, lang: Lang): string {
  const item = items.find((i) => i.id === id);
  return item ? inLang(item.label, lang) : id;
}

export const topicLabel = (content: Content, id: string, lang: Lang): string => listLabel(content.topics, id, lang);
export const regionLabel = (content: Content, id: string, lang: Lang): string => listLabel(content.regions, id, lang);
export const needLabel = (content: Content, id: string, lang: Lang): string => listLabel(content.needs, id, lang);
export const alertTopicLabel = (content: Content, id: string, lang: Lang): string =>
  listLabel(content.alertTopics, id, lang);

/** The FAQ's short question as shown in menus; its id when it does not exist. */
export function faqTitle(content: Content, id: string, lang: Lang): string {
  const faq = content.faqs.get(id);
  return faq ? inLang(faq.title, lang) : id;
}

/** What an organisation does, in the person's language. */
export function contactDescription(content: Content, id: string, lang: Lang): string {
  const contact = content.contacts.get(id);
  return contact ? inLang(contact.description, lang) : id;
}
