// The staff-group posts of each case (chat, message id, text), so that a claim, transfer or close made anywhere can
// edit them. The text is the case summary, which holds no personal data; the key names the case number only.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../../infra/keys.ts';

export type StaffPost = { chatId: number; messageId: number; text: string };

const KEEP_SECONDS = 60 * 86_400;

export class StaffPostStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private key(no: string): string {
    return this.keys.key('tg', 'staff-posts', no);
  }

  async add(no: string, post: StaffPost): Promise<void> {
    const key = this.key(no);
    await this.redis.multi().hset(key, `${post.chatId}:${post.messageId}`, post.text).expire(key, KEEP_SECONDS).exec();
  }

  /** This post is being settled by whoever holds it (the Claim button pressed on it). */
  async forget(no: string, chatId: number, messageId: number): Promise<void> {
    await this.redis.hdel(this.key(no), `${chatId}:${messageId}`);
  }

  /** The posts still showing a Claim button; they are forgotten here once edited. */
  async take(no: string): Promise<StaffPost[]> {
    const key = this.key(no);
    const [[, hash]] = (await this.redis.multi().hgetall(key).del(key).exec()) as [
      [Error | null, Record<string, string>],
    ];
    return Object.entries(hash ?? {}).flatMap(([field, text]) => {
      const [chatId, messageId] = field.split(':').map(Number);
      return chatId && messageId ? [{ chatId, messageId, text }] : [];
    });
  }
}
