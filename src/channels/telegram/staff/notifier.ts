// Staff notifications on Telegram (the StaffNotifier port of the referral service): posts in the partner's staff
// group, with a Claim button, summaries naming needs and regions in words; private messages to the claimer. When a
// case is claimed, given, closed or moved from anywhere (the console, another bot process), the group's posts of
// that case are edited: the button goes and the holder or the end is shown, so nobody tries to claim it again.
import type { Api } from 'grammy';
import type { StaffEvent, StaffNotifier } from '../../../ports/staff-cases.ts';
import { claimKeyboard, sendParts, type TelegramStaffOptions, telegramUserOf } from './groups.ts';
import { staffTexts } from './texts.ts';

/**
 * `api` may be given as a function: the channel's bot (and its API with retries) is built after the referral service
 * it takes the staff composer from, so the notifier looks it up when it first sends.
 */
/** Need and region labels in words from the content (French, the staff groups' language), for summaries. */
export function telegramLabels(content: {
  needs: readonly { id: string; label: { fr: string } }[];
  regions: readonly { id: string; label: { fr: string } }[];
}): (kind: 'need' | 'region', id: string) => string {
  return (kind, id) => (kind === 'need' ? content.needs : content.regions).find((x) => x.id === id)?.label.fr ?? id;
}

export function createTelegramStaffNotifier(api: Api | (() => Api), options: TelegramStaffOptions): StaffNotifier {
  const t = staffTexts(options.lang ?? 'fr');
  const bot = () => (typeof api === 'function' ? api() : api);
  const label = options.labelOf ?? ((_kind, id) => id);
  const name = options.partnerName ?? ((id) => id);
  const staffName = async (id: string) =>
    options.staffName
      ? await options.staffName(id)
      : id.startsWith('web:')
        ? id.slice(4)
        : t.telegramStaff(id.slice(3));

  async function toGroup(partner: string, text: string, claimable?: string): Promise<void> {
    const chatId = options.groups.get(partner);
    if (chatId === undefined) {
      options.logger?.debug({ partner }, 'no staff group for this partner; the console lists the case');
      return;
    }
    const sent = await bot().sendMessage(
      chatId,
      text,
      claimable ? { reply_markup: claimKeyboard(claimable, t.claimButton) } : {},
    );
    if (claimable && options.posts) await options.posts.add(claimable, { chatId, messageId: sent.message_id, text });
  }

  /** Edits every post of the case that still offers to claim it: no button, and what happened instead. */
  async function settle(no: string, line: string): Promise<void> {
    if (!options.posts) return;
    for (const post of await options.posts.take(no)) {
      await bot()
        .editMessageText(post.chatId, post.messageId, `${post.text}\n\n${line}`)
        .catch((err: unknown) => options.logger?.warn({ case: no, err: String(err) }, 'could not edit the group post'));
    }
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
          return toGroup(c.partner, t.notClaimedInTime(c.no, name(event.to), event.asked), c.no);
        case 'person_message':
          return toStaff(event.staffId, t.personMessage(c.no, event.text), c.no);
        case 'reply_overdue':
          return toStaff(event.staffId, t.replyOverdue(c.no), c.no);
        case 'erased':
          await toStaff(event.staffId, t.erased(c.no), c.no);
          return toGroup(c.partner, t.erased(c.no));
        case 'transfer_answer':
          if (event.accepted) await settle(c.no, t.movedTo(name(event.to)));
          return toGroup(c.partner, t.transferAnswer(c.no, name(event.to), event.accepted));
        case 'changed':
          switch (event.action) {
            case 'claimed':
            case 'assigned':
              return settle(c.no, t.claimedBy(await staffName(c.claimedBy ?? event.by)));
            case 'closed':
              return settle(c.no, t.closedBy(c.outcome ?? 'other', await staffName(event.by)));
            case 'released':
            case 'proposed':
              return;
            default:
              return event.action satisfies never;
          }
        default:
          return event satisfies never;
      }
    },
  };
}
