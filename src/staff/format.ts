// Small formatting helpers shared by the pages: ages, dates (UTC, which is Mali's time all year), content labels.
import type { Content } from '../content/schema.ts';
import type { ChannelName } from '../engine/types.ts';
import type { T, UiLang } from './i18n.ts';

export function age(ms: number, t: T): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return t('{n} min', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('{n} h', { n: hours });
  return t('{n} days', { n: Math.floor(hours / 24) });
}

/** "2026-01-15 09:00 UTC". */
export function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

type Labelled = readonly { id: string; label: { fr: string; en?: string } }[];

function labelIn(list: Labelled, id: string, lang: UiLang): string {
  const item = list.find((i) => i.id === id);
  return item ? (lang === 'en' ? (item.label.en ?? item.label.fr) : item.label.fr) : id;
}

export function labels(content: Content, lang: UiLang) {
  return {
    need: (id: string) => labelIn(content.needs, id, lang),
    region: (id: string) => (id === 'all' ? (lang === 'fr' ? 'Toutes' : 'All') : labelIn(content.regions, id, lang)),
    alertTopic: (id: string) => labelIn(content.alertTopics, id, lang),
  };
}

export const LANGUAGE_NAMES: Record<string, string> = { fr: 'Français', en: 'English', bm: 'Bamanankan' };

/** Platforms by their names (not the code): "console" is the terminal chat used for trying the bot. */
const CHANNEL_LABELS = {
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  console: 'Terminal chat',
} as const satisfies { [C in ChannelName]: string };

export function channelLabel(channel: string, t: T): string {
  return Object.hasOwn(CHANNEL_LABELS, channel) ? t(CHANNEL_LABELS[channel as ChannelName]) : channel;
}

export function languageLabel(lang: string): string {
  return LANGUAGE_NAMES[lang] ?? lang;
}

const OUTCOME_TEXT: Record<string, string> = {
  helped: 'Helped',
  'referred-elsewhere': 'Referred elsewhere',
  unreachable: 'Could not be reached',
  'not-eligible': 'Not eligible',
  duplicate: 'Duplicate',
  other: 'Other',
};

export function outcomeLabel(outcome: string, t: T): string {
  return t(OUTCOME_TEXT[outcome] ?? outcome);
}
