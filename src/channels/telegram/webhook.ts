// The webhook endpoint as a plain `(Request) => Promise<Response>` (mount it in Hono with
// `app.post('/telegram/webhook', (c) => handler(c.req.raw))`).
// - Without the right X-Telegram-Bot-Api-Secret-Token: 401.
// - Telegram retries an update it did not get a 2xx for; the update_id is claimed in Redis (SET NX with a TTL) so
//   a repeated update is acknowledged and not processed again, even by another process behind a load balancer.
// - Answers 200 at once; the update is processed in the background (per-chat order is kept by `dispatch`).
import { timingSafeEqual } from 'node:crypto';
import type { Update } from 'grammy/types';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../infra/keys.ts';
import type { TelegramLogger } from './sender.ts';

export type WebhookHandler = (request: Request) => Promise<Response>;

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** Telegram gives up retrying long before this. */
const DEDUP_TTL_SECONDS = 60 * 60 * 24;

export type WebhookOptions = {
  secret: string;
  redis: Redis;
  keys: RedisKeys;
  /** Starts processing an update; must not wait for the processing to finish. */
  dispatch: (update: Update) => void;
  /** False until the bot is initialised: Telegram gets 503 and retries later. */
  ready: () => boolean;
  logger: TelegramLogger;
};

export function createWebhookHandler(options: WebhookOptions): WebhookHandler {
  const expected = Buffer.from(options.secret, 'utf8');
  return async (request) => {
    if (request.method !== 'POST') return new Response(null, { status: 405 });
    const given = Buffer.from(request.headers.get(SECRET_HEADER) ?? '', 'utf8');
    if (expected.length === 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return new Response(null, { status: 401 });
    }
    if (!options.ready()) return new Response(null, { status: 503 });
    let update: Update;
    try {
      update = (await request.json()) as Update;
    } catch {
      return new Response(null, { status: 400 });
    }
    if (typeof update?.update_id !== 'number') return new Response(null, { status: 400 });
    try {
      const key = options.keys.key('tg', 'update', String(update.update_id));
      const claimed = await options.redis.set(key, '1', 'EX', DEDUP_TTL_SECONDS, 'NX');
      if (claimed === null) {
        options.logger.debug({ updateId: update.update_id }, 'telegram webhook: repeated update ignored');
        return new Response(null, { status: 200 });
      }
    } catch (error) {
      // Without the de-duplication claim, let Telegram retry rather than risk processing twice.
      options.logger.error({ err: String(error) }, 'telegram webhook: redis unavailable');
      return new Response(null, { status: 500 });
    }
    options.dispatch(update);
    return new Response(null, { status: 200 });
  };
}
