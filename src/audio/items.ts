// What can be recorded: the first message of every FAQ (`faq-<id>`) and the texts a person hears first, in every
// language the bot speaks (LANGUAGES). One place for item names, so /record, the console and the CLI agree.
import { LANGUAGES, type Lang } from '../engine/types.ts';

/** The UI texts a person hears before anything else: greeting, main menu, consent question, distress reply. */
export const UI_ITEMS = ['welcome', 'menu', 'consent', 'distress'] as const;
export type UiItem = (typeof UI_ITEMS)[number];

/** `welcome`, `menu`, `consent`, `distress` or `faq-<faq id>`. */
export type AudioItem = UiItem | `faq-${string}`;

export const AUDIO_LANGS: readonly Lang[] = LANGUAGES;

export function faqItem(faqId: string): AudioItem {
  return `faq-${faqId}`;
}

/** Every recordable item for these FAQ ids, UI texts first, FAQs in alphabetical order. */
export function recordableItems(faqIds: Iterable<string>): AudioItem[] {
  return [...UI_ITEMS, ...[...faqIds].sort().map(faqItem)];
}

export function isLang(value: string): value is Lang {
  return (AUDIO_LANGS as readonly string[]).includes(value);
}

/** The item when `value` names one of `items` (case-insensitive), else null. */
export function parseItem(value: string, items: readonly AudioItem[]): AudioItem | null {
  const wanted = value.trim().toLowerCase();
  return items.find((item) => item === wanted) ?? null;
}

/** Item names are safe in file names and URLs: lower-case letters, digits and dashes only. */
export const ITEM_PATTERN = /^[a-z][a-z0-9-]{0,80}$/;
