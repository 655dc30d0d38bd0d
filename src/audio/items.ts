// What can be recorded: the first message of every FAQ (`faq-<id>`) and the texts a person hears first, in every
// language the bot speaks (LANGUAGES). One place for item names, so /record, the console and the CLI agree.
import { type AudioItem, faqItem, UI_ITEMS, type UiItem } from '../engine/audible.ts';
import { LANGUAGES, type Lang } from '../engine/types.ts';

// The item names live with the engine, which offers 🔊 where a recording exists (src/engine/audible.ts).
export { type AudioItem, faqItem, UI_ITEMS, type UiItem };

export const AUDIO_LANGS: readonly Lang[] = LANGUAGES;

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
