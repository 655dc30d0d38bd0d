// Who tells staff about cases, from the configuration: the partners' Telegram staff groups when a bot token and
// REFERRAL_STAFF_GROUPS are set (the staff console lists the cases in any case). `npm start` and `kunnafoni chat`
// use the same list, so a case is announced the same way whichever process runs the referral worker.
import type { Config } from '../config.ts';
import type { Logger } from '../infra/logger.ts';
import type { StaffNotifier } from '../referrals/staff-notifier.ts';
import { createTelegramStaffNotifier, parseStaffGroups } from '../referrals/telegram-staff.ts';

type BotApi = Parameters<typeof createTelegramStaffNotifier>[0];

export function staffNotifiersFor(options: { config: Config; api: BotApi | null; logger: Logger }): StaffNotifier[] {
  const { config, api, logger } = options;
  const groups = parseStaffGroups(config.REFERRAL_STAFF_GROUPS);
  return api && groups.size > 0 ? [createTelegramStaffNotifier(api, { groups, logger })] : [];
}
