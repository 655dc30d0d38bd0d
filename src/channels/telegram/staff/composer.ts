// The staff side of the bot's Telegram updates: the Claim button of group posts, and the private commands of staff
// holding cases (/reply, /close, /release, /transfer, /cases, and replies to the bot's case messages). Install it
// before the conversation middleware: it handles staff updates and passes on everything else. Messages are plain
// text (no parse mode), so nothing a person typed can break formatting.
import type { Composer, Context } from 'grammy';
import {
  OUTCOMES,
  type OutcomeT,
  type StaffActor,
  type StaffCaseOperations,
  type StaffCaseView,
} from '../../../ports/staff-cases.ts';
import { LeanComposer } from '../lean-composer.ts';
import { sendParts, staffIdOf, type TelegramStaffOptions } from './groups.ts';
import { staffTexts } from './texts.ts';

export function createStaffComposer(service: StaffCaseOperations, options: TelegramStaffOptions): Composer<Context> {
  const t = staffTexts(options.lang ?? 'fr');
  const partnerOfGroup = new Map([...options.groups].map(([partner, chatId]) => [chatId, partner]));
  const name = options.partnerName ?? ((id: string) => service.partners.get(id)?.name ?? id);
  const log = options.logger;
  // Lean: its filters cost nothing per update that is not for staff (lean-composer.ts).
  const composer = new LeanComposer<Context>();

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
    const pressed = ctx.callbackQuery.message;
    // This post is edited below with the presser's name; the notifier settles the case's other posts.
    if (options.posts && pressed && ctx.chat) await options.posts.forget(no, ctx.chat.id, pressed.message_id);
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

  function detailsText(details: StaffCaseView, no: string): string {
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
    const no = match?.[1] ? service.parseCaseNumber(match[1]) : null;
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
    const no = quoted?.from?.id === ctx.me.id ? service.findCaseNumber(quoted.text ?? '') : null;
    if (!no) return next();
    const staffId = staffIdOf(ctx.from.id);
    const summary = await service.summary(no);
    if (summary?.claimedBy !== staffId) return next();
    const result = await service.reply(no, { id: staffId }, ctx.message.text);
    await ctx.reply(result.ok ? t.sent(no) : t.failure[result.reason]);
  });

  return composer;
}
