// What the person reads about their case, from the i18n keys in locales/<lang>/referral.json (checked by
// `validate` in every language, like every other text). The service passes the bot's translator; without one
// (tests, tools) the texts are read once from the locales shipped beside the code.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LANGUAGES, type Lang } from '../engine/types.ts';
import type { LocaleSet } from '../i18n/locales.ts';
import { createTranslator, type Translate } from '../i18n/translator.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { CaseStatusT } from './case-model.ts';

export type PersonTexts = {
  /** After the case is saved: its number, who receives it and when to expect news, what if urgent, how to withdraw. */
  created: (no: string, partner: string, hours: number) => string[];
  claimed: (no: string, partner: string) => string;
  closed: (no: string) => string;
  transferred: (no: string, partner: string) => string;
  /** A proposed transfer, as plain text (where no conversation can put the question, see PersonPrompter). */
  transferQuestion: (no: string, from: string, to: string) => string;
  staffReplyTitle: (no: string, partner: string) => string;
  status: (no: string, status: CaseStatusT, partner: string) => string;
  statusErased: (no: string) => string;
  unknownCase: (no: string) => string;
};

export function personTexts(lang: Lang, translate: Translate = shippedTranslate()): PersonTexts {
  const t = (key: string, params: Record<string, string>) => translate(lang, `referral.${key}`, params);
  return {
    created: (no, partner, hours) => [
      t('case_saved', { no }),
      t('case_next', { no, partner, hours: String(hours) }),
      t('case_urgent', { no }),
      t('case_withdraw', { no }),
    ],
    claimed: (no, partner) => t('case_claimed', { no, partner }),
    closed: (no) => t('case_closed', { no }),
    transferred: (no, partner) => t('case_transferred', { no, partner }),
    transferQuestion: (no, from, to) => t('transfer_question', { no, from, to }),
    staffReplyTitle: (no, partner) => t('staff_reply_title', { no, partner }),
    status: (no, status, partner) => t(`status_${status}`, { no, partner }),
    statusErased: (no) => t('status_erased', { no }),
    unknownCase: (no) => t('unknown_case', { no }),
  };
}

export function message(...paragraphs: string[]): OutMessage {
  return { paragraphs };
}

let shipped: Translate | null = null;

/** The referral texts of the locales folder found above this file (the sources, or the built bundle). */
function shippedTranslate(): Translate {
  if (shipped) return shipped;
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'locales', 'fr', 'referral.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  const strings = Object.fromEntries(LANGUAGES.map((lang) => [lang, {}])) as LocaleSet;
  for (const lang of LANGUAGES) {
    const file = path.join(dir, 'locales', lang, 'referral.json');
    if (!existsSync(file)) continue;
    const table = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    for (const [key, value] of Object.entries(table)) strings[lang][`referral.${key}`] = value;
  }
  shipped = createTranslator(strings).t;
  return shipped;
}
