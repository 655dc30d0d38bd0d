// Executes render plans with the Bot API: one chat's messages in order, long choice ids stored first,
// voice notes: an approved recording is uploaded once, then sent by the file_id Telegram returned (remembered in the
// recordings library, see VoiceIds). A 403 marks the person inactive and throws BlockedError.
import { access } from 'node:fs/promises';
import { type Api, GrammyError, InputFile } from 'grammy';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisKeys } from '../../infra/keys.ts';
import type { BulkSender, BulkSendResult } from '../../ports/bulk-send.ts';
import type { ChatRef } from '../../ports/chat.ts';
import type { AudioPlatform, OutAudio, OutMessage } from '../../ports/out-message.ts';
import type { PersonActivity } from './activity.ts';
import { botApiFetch } from './bot-api-fetch.ts';
import { Deadline, JSON_HEADERS } from './bot-api-json-call.ts';
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

/** Where the file_id of an uploaded recording is kept (the recordings library, src/audio/approved-voices.ts). */
export type VoiceIds = {
  rememberPlatformId(audio: OutAudio, platform: AudioPlatform, id: string): Promise<void>;
};

/** Recording versions whose file_id this process keeps in memory (a few hundred recordings at most exist). */
const KNOWN_FILE_IDS = 1_000;

export class TelegramSender {
  /** version -> file_id, learned by this process (the message may carry an older copy of the library). */
  private readonly fileIds = new Map<string, string>();
  /** Uploads in progress, by version: a second send waits for the first upload's file_id instead of uploading. */
  private readonly uploads = new Map<string, Promise<string | null>>();

  constructor(
    private readonly api: Api,
    private readonly longChoices: LongChoiceStore,
    private readonly activity: PersonActivity,
    private readonly logger: TelegramLogger,
    private readonly voiceIds?: VoiceIds,
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
    await this.sendVoice(chatId, call.audio);
  }

  /** By file_id when Telegram gave one for this version; else the file, once, and its file_id kept. */
  private async sendVoice(chatId: string, audio: OutAudio): Promise<void> {
    const { version } = audio;
    const known = audio.platformIds.telegram ?? this.fileIds.get(version) ?? (await this.uploads.get(version));
    if (known) {
      try {
        await this.api.sendVoice(chatId, known);
        return;
      } catch (error) {
        // A file_id of another bot (the token changed) is refused with a 400: upload the file again.
        if (!(error instanceof GrammyError && error.error_code === 400)) throw error;
        this.logger.warn({ item: audio.item, lang: audio.lang }, 'telegram: voice file_id refused, uploading again');
        this.fileIds.delete(version);
      }
    }
    const upload = this.upload(chatId, audio);
    this.uploads.set(version, upload);
    try {
      await upload;
    } finally {
      if (this.uploads.get(version) === upload) this.uploads.delete(version);
    }
  }

  private async upload(chatId: string, audio: OutAudio): Promise<string | null> {
    // A missing audio file is a content problem, not a reason to fail the reply: the text was already sent.
    if (
      !(await access(audio.path).then(
        () => true,
        () => false,
      ))
    ) {
      this.logger.warn({ item: audio.item, lang: audio.lang }, 'telegram: audio file missing, voice note skipped');
      return null;
    }
    const sent = await this.api.sendVoice(chatId, new InputFile(audio.path));
    const id = sent.voice?.file_id;
    if (!id) return null;
    if (this.fileIds.size >= KNOWN_FILE_IDS) this.fileIds.delete(this.fileIds.keys().next().value!);
    this.fileIds.set(audio.version, id);
    await this.voiceIds?.rememberPlatformId(audio, 'telegram', id).catch((error: unknown) => {
      // Known to this process still; another process uploads once too.
      this.logger.warn({ err: error instanceof Error ? error.name : 'Error' }, 'telegram: voice file_id not kept');
    });
    return id;
  }
}

/**
 * Bulk messages (alerts) as plain text, each Bot API answer returned as a value (ports/bulk-send.ts): the broadcast
 * decides what a 429, a 403 or no answer means for its pairs. A bare POST on the bot's own keep-alive connections
 * (bot-api-fetch.ts), without in-line retries: a 429 goes back at once so the whole broadcast pauses, and a retry of
 * an unanswered request is the broadcast's decision. (Not grammY's client: at 1,000 messages a second its
 * per-request work was a fifth of the sending process's CPU.) A 403 marks the person inactive (the broadcast
 * unsubscribes them).
 */
export class TelegramBulkSender implements BulkSender {
  readonly channel = 'telegram' as const;
  private readonly url: string;
  private readonly timeoutSeconds: number;

  constructor(
    options: { token: string; apiRoot?: string; timeoutSeconds?: number },
    private readonly activity?: Pick<PersonActivity, 'markInactive'>,
  ) {
    const apiRoot = (options.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '');
    this.url = `${apiRoot}/bot${options.token}/sendMessage`;
    this.timeoutSeconds = options.timeoutSeconds ?? 30;
  }

  async send(chatId: string, text: string): Promise<BulkSendResult> {
    const body = JSON.stringify({ chat_id: chatId, text, link_preview_options: { is_disabled: true } });
    const deadline = new Deadline('sendMessage', this.timeoutSeconds);
    // No answer at all (network error, timeout): it may have arrived, we cannot know.
    const result = await botApiFetch(this.url, { method: 'POST', headers: JSON_HEADERS, body, signal: deadline })
      .then(async (answer) => bulkResultOfAnswer(answer.status, await answer.text()))
      .catch((): BulkSendResult => ({ kind: 'no_answer' }))
      .finally(() => deadline.clear());
    if (result.kind === 'blocked') await this.activity?.markInactive({ channel: 'telegram', id: chatId });
    return result;
  }
}

/** What a Bot API answer (HTTP status and body) means for a bulk message. */
export function bulkResultOfAnswer(status: number, body: string): BulkSendResult {
  let answer: {
    ok?: boolean;
    result?: { message_id?: number };
    error_code?: number;
    description?: string;
    parameters?: { retry_after?: number };
  };
  try {
    answer = JSON.parse(body) as typeof answer;
  } catch {
    // Not the Bot API's answer (a proxy's error page): a 5xx said nothing was done; anything else, we cannot know.
    return status >= 500 ? { kind: 'server', code: status } : { kind: 'no_answer' };
  }
  if (answer.ok === true) return { kind: 'sent', messageId: String(answer.result?.message_id ?? '') };
  const code = answer.error_code ?? status;
  if (code === 429) {
    const seconds = answer.parameters?.retry_after;
    return { kind: 'rate_limited', retryAfterMs: typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : 1000 };
  }
  if (code === 403) return { kind: 'blocked' };
  if (code >= 500) return { kind: 'server', code };
  return { kind: 'refused', code, description: answer.description ?? '' };
}
