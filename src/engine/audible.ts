// Which recording goes with what the engine says (issue 18 point 4): the texts a person hears first (welcome, main
// menu, consent, distress reply) and the first message of each FAQ. One table, read by the engine (to offer 🔊
// only where a recording exists) and by the presenter (to attach the voice note to the message it belongs to).
import type { Effect } from './types.ts';

/** The UI texts a person hears before anything else: greeting, main menu, consent question, distress reply. */
export const UI_ITEMS = ['welcome', 'menu', 'consent', 'distress'] as const;
export type UiItem = (typeof UI_ITEMS)[number];

/** `welcome`, `menu`, `consent`, `distress` or `faq-<faq id>`. */
export type AudioItem = UiItem | `faq-${string}`;

/** The i18n key whose text each UI recording reads aloud. */
export const UI_ITEM_KEYS = {
  welcome: 'main.welcome',
  menu: 'main.menu',
  consent: 'referral.consent',
  distress: 'distress.calm',
} as const satisfies { [K in UiItem]: string };

const ITEM_OF_KEY: ReadonlyMap<string, UiItem> = new Map(UI_ITEMS.map((item) => [UI_ITEM_KEYS[item], item] as const));

/** The choice id of the 🔊 offer (a button on Telegram; the keyword AUDIO or 🔊 everywhere). */
export const LISTEN_CHOICE = 'listen';

export function faqItem(faqId: string): AudioItem {
  return `faq-${faqId}`;
}

/** The recording an effect's words have, if any (the FAQ's first message only: "more" is not recorded). */
export function audibleItem(effect: Effect): AudioItem | null {
  switch (effect.type) {
    case 'say':
      return ITEM_OF_KEY.get(effect.key) ?? null;
    case 'ask':
      return effect.key ? (ITEM_OF_KEY.get(effect.key) ?? null) : null;
    case 'show_faq':
      return effect.part === 'short' ? faqItem(effect.faqId) : null;
    default:
      return null;
  }
}
