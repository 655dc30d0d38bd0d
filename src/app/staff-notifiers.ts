// Who tells staff about cases: the console's live updates always, and the partners' Telegram staff groups when a
// bot token and REFERRAL_STAFF_GROUPS are set. `npm start` and `kunnafoni chat` use the same list, so a case is
// announced the same way whichever process runs the referral worker.
import type { Redis } from 'ioredis';
import {
  createTelegramStaffNotifier,
  parseStaffGroups,
  StaffPostStore,
  type TelegramStaffOptions,
  telegramLabels,
} from '../channels/telegram/staff/staff-bot.ts';
import type { Config } from '../config.ts';
import type { Content } from '../content/schema.ts';
import type { RedisKeys } from '../infra/keys.ts';
import type { Logger } from '../infra/logger.ts';
import type { StaffNotifier } from '../referrals/staff-notifier.ts';
import { LivePublisher } from '../staff/live-events.ts';

type BotApi = Parameters<typeof createTelegramStaffNotifier>[0];

/** How the Telegram staff bot names things and remembers its group posts (shared by its notifier and composer). */
export function staffTelegramOptions(options: {
  config: Config;
  content: Content;
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
}): TelegramStaffOptions {
  const { config, content, redis, keys, logger } = options;
  return {
    groups: parseStaffGroups(config.REFERRAL_STAFF_GROUPS),
    logger,
    labelOf: telegramLabels(content),
    posts: new StaffPostStore(redis, keys),
  };
}

export function staffNotifiersFor(options: {
  api: BotApi | null;
  telegram: TelegramStaffOptions;
  redis: Redis;
  keys: RedisKeys;
}): StaffNotifier[] {
  const { api, telegram, redis, keys } = options;
  const notifiers: StaffNotifier[] = [new LivePublisher(redis, keys)];
  if (api && telegram.groups.size > 0) notifiers.push(createTelegramStaffNotifier(api, telegram));
  return notifiers;
}
