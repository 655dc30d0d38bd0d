// What the Telegram staff notifier and composer share: the staff groups, how long texts are cut, staff ids.
import type { Api } from 'grammy';
import type { Logger } from '../../../infra/logger.ts';
import { splitParagraph } from '../../../runtime/fit-text.ts';
import { TELEGRAM_TEXT_LIMIT } from '../render.ts';
import type { StaffPostStore } from './posts.ts';
import type { StaffLang } from './texts.ts';

export type TelegramStaffOptions = {
  /** Partner id -> staff group chat id. */
  groups: ReadonlyMap<string, number>;
  lang?: StaffLang;
  /** Display names of partners (defaults to the id). */
  partnerName?: (id: string) => string;
  /** Labels for need and region ids in summaries (defaults to the id). */
  labelOf?: (kind: 'need' | 'region', id: string) => string;
  logger?: Logger;
  /** Where the group posts of each case are remembered, so a claim, transfer or close elsewhere edits them. */
  posts?: StaffPostStore;
  /** A staff member's name as the group should read it (default: the console login, or "Telegram #id"). */
  staffName?: (staffId: string) => string | Promise<string>;
};

/** Parses `ame=-100123,aracem=-100456` (REFERRAL_STAFF_GROUPS). */
export function parseStaffGroups(spec: string): Map<string, number> {
  const groups = new Map<string, number>();
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z][a-z0-9-]*)=(-?\d+)$/.exec(part);
    if (!match) throw new Error(`"${part}" is not partner=chat_id (e.g. ame=-1001234567890)`);
    groups.set(match[1]!, Number(match[2]));
  }
  return groups;
}

export const CLAIM_PREFIX = 'claim:';
/**
 * A long text (a long description, a long message from the person) as Telegram-sized parts, cut by the presenter's
 * rule (fit-text.ts: line ends, sentence ends, spaces); every part after the first starts with the case number, so a
 * reply to any part relays.
 */
export function splitForTelegram(text: string, no: string): string[] {
  const continued = `${no} …\n`;
  const parts = splitParagraph(text, TELEGRAM_TEXT_LIMIT - continued.length);
  return parts.length === 0 ? [text] : parts.map((part, i) => (i === 0 ? part : `${continued}${part}`));
}

export async function sendParts(api: Api, chatId: number, text: string, no: string): Promise<void> {
  for (const part of splitForTelegram(text, no)) await api.sendMessage(chatId, part);
}
export const staffIdOf = (userId: number) => `tg:${userId}`;
export const telegramUserOf = (staffId: string | undefined) =>
  staffId?.startsWith('tg:') ? Number(staffId.slice(3)) || null : null;

export function claimKeyboard(no: string, label: string) {
  return { inline_keyboard: [[{ text: label, callback_data: `${CLAIM_PREFIX}${no}` }]] };
}
