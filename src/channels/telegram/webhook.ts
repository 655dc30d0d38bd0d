// The webhook endpoint as a plain `(Request) => Promise<Response>` (mount it in Hono with
// `app.post('/telegram/webhook', (c) => handler(c.req.raw))`).
// - Without the right X-Telegram-Bot-Api-Secret-Token: 401.
// - Telegram retries an update it did not get a 2xx for; the update_id is claimed in Redis (SET NX with a TTL) so
//   a repeated update is acknowledged and not processed again, even by another process behind a load balancer.
// - Answers 200 at once; the update is processed in the background (per-chat order is kept by `dispatch`).
// - With `accept` (a WebhookQueue, see webhook-queue.ts), the claim and a per-chat queue in Redis replace the claim
//   and `dispatch`, so one chat's updates keep their order across processes.
// - While Redis cannot be reached, the update is processed here without either (answers then come from memory, see
//   the runtime) rather than refused: a repeat is unlikely, a silent bot for the length of the outage is certain.
import { timingSafeEqual } from 'node:crypto';
import type { Update } from 'grammy/types';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../infra/keys.ts';
import type { TelegramLogger } from './sender.ts';
import type { Accepted } from './webhook-queue.ts';

export type WebhookHandler = (request: Request) => Promise<Response>;

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** Telegram gives up retrying long before this. */
const DEDUP_TTL_SECONDS = 60 * 60 * 24;
/** Telegram's updates are a few kilobytes; anything far bigger is not from Telegram. */
const MAX_BODY_BYTES = 1 << 20;

export type WebhookOptions = {
  secret: string;
  redis: Redis;
  keys: RedisKeys;
  /** Starts processing an update; must not wait for the processing to finish. */
  dispatch: (update: Update) => void;
  /** Claims and queues the update in Redis (ordered across processes), then processes it in the background. */
  accept?: (update: Update) => Promise<Accepted>;
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
    if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) return new Response(null, { status: 413 });
    let update: Update;
    try {
      update = (await request.json()) as Update;
    } catch {
      return new Response(null, { status: 400 });
    }
    if (typeof update?.update_id !== 'number') return new Response(null, { status: 400 });
    try {
      if (options.accept) {
        if ((await options.accept(update)) === 'duplicate') {
          options.logger.debug({ updateId: update.update_id }, 'telegram webhook: repeated update ignored');
        }
        return new Response(null, { status: 200 });
      }
      const key = options.keys.key('tg', 'update', String(update.update_id));
      const claimed = await options.redis.set(key, '1', 'EX', DEDUP_TTL_SECONDS, 'NX');
      if (claimed === null) {
        options.logger.debug({ updateId: update.update_id }, 'telegram webhook: repeated update ignored');
        return new Response(null, { status: 200 });
      }
    } catch (error) {
      options.logger.warn(
        { updateId: update.update_id, err: error instanceof Error ? error.message : String(error) },
        'telegram webhook: redis unavailable, processing here without de-duplication',
      );
    }
    options.dispatch(update);
    return new Response(null, { status: 200 });
  };
}
