// Partner staff on Telegram. Each partner has a staff group (REFERRAL_STAFF_GROUPS="ame=-100123,aracem=-100456"):
// - the notifier posts a summary without personal data with a "Claim" button (callback_data `claim:<case>`), plus
//   reminders and escalations, and writes privately to the claimer (the person's messages, erasures);
// - the composer handles the button (exactly one presser wins; the others are told it is taken), sends the details
//   to the claimer in a private chat with the bot, and takes the private commands `/reply K-XXXX text`,
//   `/close K-XXXX outcome [note]`, `/release K-XXXX`, `/transfer K-XXXX partner`, `/cases`, and replies to the bot's
//   case messages, which go to the person.
// Install the composer before the conversation middleware: it handles staff updates and passes on everything else.
// Messages are plain text (no parse mode), so nothing a person typed can break formatting.
import { type Api, Composer, type Context } from 'grammy';
import type { Logger } from '../infra/logger.ts';
import type { OutcomeT } from './case-model.ts';
import { OUTCOMES } from './case-model.ts';
import { findCaseNumber, parseCaseNumber } from './case-number.ts';
import type { StaffActor } from './case-store.ts';
import type { CaseDetails, ReferralService } from './service.ts';
import type { StaffEvent, StaffNotifier } from './staff-notifier.ts';
import { type StaffLang, staffTexts } from './telegram-staff-texts.ts';

export type TelegramStaffOptions = {
  /** Partner id -> staff group chat id. */
  groups: ReadonlyMap<string, number>;
  lang?: StaffLang;
  /** Display names of partners (defaults to the id). */
  partnerName?: (id: string) => string;
  /** Labels for need and region ids in summaries (defaults to the id). */
  labelOf?: (kind: 'need' | 'region', id: string) => string;
  logger?: Logger;
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

const CLAIM_PREFIX = 'claim:';
/** Below Telegram's 4096-character limit, with room for the case number on continuation parts. */
const MAX_PART = 3900;

/**
 * A long text (a long description, a long message from the person) as Telegram-sized parts, cut at line ends or
 * spaces where possible; every part after the first starts with the case number, so a reply to any part relays.
 */
export function splitForTelegram(text: string, no: string): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > MAX_PART) {
    const window = rest.slice(0, MAX_PART);
    const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const at = cut > MAX_PART / 2 ? cut : MAX_PART;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  parts.push(rest);
  return parts.map((part, i) => (i === 0 ? part : `${no} …\n${part}`));
}

async function sendParts(api: Api, chatId: number, text: string, no: string): Promise<void> {
  for (const part of splitForTelegram(text, no)) await api.sendMessage(chatId, part);
}
const staffIdOf = (userId: number) => `tg:${userId}`;
const telegramUserOf = (staffId: string | undefined) =>
  staffId?.startsWith('tg:') ? Number(staffId.slice(3)) || null : null;

function claimKeyboard(no: string, label: string) {
  return { inline_keyboard: [[{ text: label, callback_data: `${CLAIM_PREFIX}${no}` }]] };
}

/**
 * `api` may be given as a function: the channel's bot (and its API with retries) is built after the referral service
 * it takes the staff composer from, so the notifier looks it up when it first sends.
 */
export function createTelegramStaffNotifier(api: Api | (() => Api), options: TelegramStaffOptions): StaffNotifier {
  const t = staffTexts(options.lang ?? 'fr');
  const bot = () => (typeof api === 'function' ? api() : api);
  const label = options.labelOf ?? ((_kind, id) => id);
  const name = options.partnerName ?? ((id) => id);

  async function toGroup(partner: string, text: string, claimable?: string): Promise<void> {
    const chatId = options.groups.get(partner);
    if (chatId === undefined) {
      options.logger?.debug({ partner }, 'no staff group for this partner; the console lists the case');
      return;
    }
    await bot().sendMessage(chatId, text, claimable ? { reply_markup: claimKeyboard(claimable, t.claimButton) } : {});
  }

  async function toStaff(staffId: string | undefined, text: string, no: string): Promise<void> {
    const userId = telegramUserOf(staffId);
    if (userId !== null) await sendParts(bot(), userId, text, no);
  }

  return {
    async notify(event: StaffEvent): Promise<void> {
      const c = event.case;
      switch (event.type) {
        case 'waiting':
          return toGroup(c.partner, `${t.waiting[event.reason]}\n${t.summary(c, label)}`, c.no);
        case 'reminder':
          return toGroup(c.partner, `${t.reminder(c.no, event.waitingMs)}\n${t.summary(c, label)}`, c.no);
        case 'escalated':
          return toGroup(event.from, t.escalatedAway(c.no, name(c.partner)));
        case 'person_message':
          return toStaff(event.staffId, t.personMessage(c.no, event.text), c.no);
        case 'erased':
          await toStaff(event.staffId, t.erased(c.no), c.no);
          return toGroup(c.partner, t.erased(c.no));
        case 'transfer_answer':
          return toGroup(c.partner, t.transferAnswer(c.no, name(event.to), event.accepted));
        case 'changed':
          return;
        default:
          return event satisfies never;
      }
    },
  };
}

export function createStaffComposer(service: ReferralService, options: TelegramStaffOptions): Composer<Context> {
  const t = staffTexts(options.lang ?? 'fr');
  const partnerOfGroup = new Map([...options.groups].map(([partner, chatId]) => [chatId, partner]));
  const name = options.partnerName ?? ((id: string) => service.partners.get(id)?.name ?? id);
  const log = options.logger;
  const composer = new Composer<Context>();

  composer.callbackQuery(/^claim:(K-[0-9A-Z]{4,8})$/, async (ctx) => {
    const no = ctx.match[1]!;
    const partner = ctx.chat ? partnerOfGroup.get(ctx.chat.id) : undefined;
    if (!partner) return void (await ctx.answerCallbackQuery({ text: t.notStaffGroup, show_alert: true }));
    const userId = ctx.from.id;
    // The details go to a private chat: a staff member who never started the bot cannot get them, so cannot claim.
    try {
      await ctx.api.sendChatAction(userId, 'typing');
    } catch {
      return void (await ctx.answerCallbackQuery({ text: t.startPrivateChat(ctx.me.username), show_alert: true }));
    }
    const actor: StaffActor = { id: staffIdOf(userId), partner };
    const result = await service.claim(no, actor);
    if (!result.ok) return void (await ctx.answerCallbackQuery({ text: t.failure[result.reason], show_alert: true }));
    await ctx.answerCallbackQuery({ text: t.claimedAnswer(no) });
    const posted = ctx.callbackQuery.message;
    if (posted && 'text' in posted && posted.text) {
      // Same text plus who took it, and no button any more.
      await ctx
        .editMessageText(`${posted.text}\n\n${t.claimedBy(ctx.from.first_name)}`)
        .catch((err: unknown) => log?.warn({ case: no, err: String(err) }, 'could not mark the group post as claimed'));
    }
    const details = await service.details(no, actor);
    try {
      if ('error' in details) throw new Error(details.error);
      await sendParts(ctx.api, userId, detailsText(details, no), no);
    } catch (err) {
      // Without the details the claim is useless: give the case back to the queue.
      log?.warn({ case: no, err: err instanceof Error ? err.name : 'Error' }, 'claim details not delivered');
      await service.release(no, actor);
    }
  });

  // A press on any other claim-like button (a malformed case number) is answered, not passed to the conversation.
  composer.callbackQuery(/^claim:/, (ctx) => ctx.answerCallbackQuery({ text: t.failure.not_found, show_alert: true }));

  function detailsText(details: CaseDetails, no: string): string {
    return [...t.details(details.case, details.personal), '', t.help(no)].join('\n');
  }

  const direct = composer.chatType('private');

  /** Staff commands are for people holding cases; anyone else's "/close" is ordinary conversation. */
  async function holdsCases(userId: number): Promise<boolean> {
    return (await service.claimedCases(staffIdOf(userId))).length > 0;
  }

  /** A command naming a case number is answered (e.g. "not yours"); a bare one only for staff holding cases. */
  async function isStaffCommand(userId: number, args: string): Promise<boolean> {
    return caseArgs(args) !== null || (await holdsCases(userId));
  }

  /** `/command K-XXXX rest`: the case number and the rest of the text, or null. */
  function caseArgs(text: string): { no: string; rest: string } | null {
    const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
    const no = match?.[1] ? parseCaseNumber(match[1]) : null;
    return no ? { no, rest: (match?.[2] ?? '').trim() } : null;
  }

  direct.command('reply', async (ctx, next) => {
    if (!(await isStaffCommand(ctx.from.id, ctx.match))) return next();
    const args = caseArgs(ctx.match);
    if (!args?.rest) return void (await ctx.reply(t.usage.reply));
    const result = await service.reply(args.no, { id: staffIdOf(ctx.from.id) }, args.rest);
    await ctx.reply(result.ok ? t.sent(args.no) : t.failure[result.reason]);
  });

  direct.command('close', async (ctx, next) => {
    if (!(await isStaffCommand(ctx.from.id, ctx.match))) return next();
    const args = caseArgs(ctx.match);
    const [outcome, ...note] = (args?.rest ?? '').split(/\s+/);
    if (!args || !OUTCOMES.includes(outcome as OutcomeT)) return void (await ctx.reply(t.usage.close));
    const result = await service.closeCase(
      args.no,
      { id: staffIdOf(ctx.from.id) },
      outcome as OutcomeT,
      note.join(' ') || undefined,
    );
    await ctx.reply(result.ok ? t.closed(args.no, outcome as OutcomeT) : t.failure[result.reason]);
  });

  direct.command('release', async (ctx, next) => {
    if (!(await isStaffCommand(ctx.from.id, ctx.match))) return next();
    const args = caseArgs(ctx.match);
    if (!args) return void (await ctx.reply(t.usage.release));
    const result = await service.release(args.no, { id: staffIdOf(ctx.from.id) });
    await ctx.reply(result.ok ? t.released(args.no) : t.failure[result.reason]);
  });

  direct.command('transfer', async (ctx, next) => {
    if (!(await isStaffCommand(ctx.from.id, ctx.match))) return next();
    const args = caseArgs(ctx.match);
    const to = args?.rest.split(/\s+/)[0]?.toLowerCase();
    if (!args || !to) return void (await ctx.reply(t.usage.transfer));
    const result = await service.transfer(args.no, to, { id: staffIdOf(ctx.from.id) });
    await ctx.reply(result.ok ? t.transferred(args.no, name(to)) : t.failure[result.reason]);
  });

  direct.command('cases', async (ctx, next) => {
    if (!(await holdsCases(ctx.from.id))) return next();
    const cases = await service.claimedCases(staffIdOf(ctx.from.id));
    await ctx.reply(t.myCases(cases.map((c) => c.no)));
  });

  // A reply to one of the bot's case messages, by the staff member who has that case, goes to the person.
  direct.on('message:text', async (ctx, next) => {
    const quoted = ctx.message.reply_to_message;
    const no = quoted?.from?.id === ctx.me.id ? findCaseNumber(quoted.text ?? '') : null;
    if (!no) return next();
    const staffId = staffIdOf(ctx.from.id);
    const summary = await service.summary(no);
    if (summary?.claimedBy !== staffId) return next();
    const result = await service.reply(no, { id: staffId }, ctx.message.text);
    await ctx.reply(result.ok ? t.sent(no) : t.failure[result.reason]);
  });

  return composer;
}
