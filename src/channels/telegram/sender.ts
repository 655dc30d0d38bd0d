// Executes render plans with the Bot API: one chat's messages in order, long choice ids stored first,
// voice notes from local files. A 403 marks the person inactive and throws BlockedError.
import { access } from 'node:fs/promises';
import { Api, GrammyError, InputFile } from 'grammy';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisKeys } from '../../infra/keys.ts';
import type { BulkSender, BulkSendResult } from '../../ports/bulk-send.ts';
import type { ChatRef } from '../../ports/chat.ts';
import type { OutMessage } from '../../ports/out-message.ts';
import type { PersonActivity } from './activity.ts';
import { BlockedError, isBlockedError } from './errors.ts';
import { type PlannedCall, renderMessages } from './render.ts';

export type TelegramLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** Keyboards stay answerable for this long when their choice ids needed a digest. */
const LONG_CHOICE_TTL_SECONDS = 60 * 60 * 24 * 90;

export class LongChoiceStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async save(entries: readonly { digest: string; id: string }[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { digest, id } of entries) pipeline.set(this.key(digest), id, 'EX', LONG_CHOICE_TTL_SECONDS);
    await pipeline.exec();
  }

  resolve(digest: string): Promise<string | null> {
    return this.redis.get(this.key(digest));
  }

  private key(digest: string): string {
    return this.keys.key('tg', 'choice', digest);
  }
}

export class TelegramSender {
  constructor(
    private readonly api: Api,
    private readonly longChoices: LongChoiceStore,
    private readonly activity: PersonActivity,
    private readonly logger: TelegramLogger,
  ) {}

  /** Sends the messages in order. Throws BlockedError on 403 (after marking the person), or the API error. */
  async deliver(chat: ChatRef, messages: readonly OutMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const plan = renderMessages(messages);
    await this.longChoices.save(plan.longChoices);
    for (const call of plan.calls) {
      try {
        await this.execute(chat.id, call);
      } catch (error) {
        if (!isBlockedError(error)) throw error;
        await this.activity.markInactive(chat);
        throw new BlockedError(chat.id);
      }
    }
  }

  private async execute(chatId: string, call: PlannedCall): Promise<void> {
    if (call.method === 'sendMessage') {
      await this.api.sendMessage(chatId, call.html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(call.keyboard ? { reply_markup: call.keyboard } : {}),
      });
      return;
    }
    // A missing audio file is a content problem, not a reason to fail the reply: the text was already sent.
    if (
      !(await access(call.path).then(
        () => true,
        () => false,
      ))
    ) {
      this.logger.warn({ path: call.path }, 'telegram: audio file missing, voice note skipped');
      return;
    }
    await this.api.sendVoice(chatId, new InputFile(call.path));
  }
}

/**
 * Bulk messages (alerts) as plain text, each Bot API answer returned as a value (ports/bulk-send.ts): the broadcast
 * decides what a 429, a 403 or no answer means for its pairs. Its own Api, without in-line retries: a 429 goes back
 * at once so the whole broadcast pauses, and a retry of an unanswered request is the broadcast's decision.
 * A 403 marks the person inactive (the broadcast unsubscribes them).
 */
export class TelegramBulkSender implements BulkSender {
  readonly channel = 'telegram' as const;
  private readonly api: Api;

  constructor(
    options: { token: string; apiRoot?: string; timeoutSeconds?: number },
    private readonly activity?: Pick<PersonActivity, 'markInactive'>,
  ) {
    const apiRoot = (options.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '');
    this.api = new Api(options.token, { apiRoot, timeoutSeconds: options.timeoutSeconds ?? 30 });
  }

  async send(chatId: string, text: string): Promise<BulkSendResult> {
    try {
      const message = await this.api.sendMessage(chatId, text, { link_preview_options: { is_disabled: true } });
      return { kind: 'sent', messageId: String(message.message_id) };
    } catch (error) {
      const result = bulkResultOf(error);
      if (result.kind === 'blocked') await this.activity?.markInactive({ channel: 'telegram', id: chatId });
      return result;
    }
  }
}

/** What a failed Bot API call means for a bulk message. */
export function bulkResultOf(error: unknown): BulkSendResult {
  if (error instanceof GrammyError) {
    if (error.error_code === 429) {
      const seconds = error.parameters.retry_after;
      return { kind: 'rate_limited', retryAfterMs: typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : 1000 };
    }
    if (error.error_code === 403) return { kind: 'blocked' };
    if (error.error_code >= 500) return { kind: 'server', code: error.error_code };
    return { kind: 'refused', code: error.error_code, description: error.description };
  }
  // HttpError (network, timeout) or anything else: we cannot know whether Telegram got it.
  return { kind: 'no_answer' };
}
