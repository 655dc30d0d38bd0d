// Messages for a person that WhatsApp must not carry now: the bot writes only to people who wrote within the last
// 24 hours, so a staff reply (or a case update) that comes later waits here and goes out the next time the person
// writes. Sealed with the personal-data key (a staff reply is personal data); the key is the person's pseudonym.
import type { Redis } from 'ioredis';
import type { PersonalDataCipher } from '../../infra/crypto.ts';
import type { RedisKeys } from '../../infra/keys.ts';
import type { ChatRef } from '../../ports/chat.ts';
import type { OutMessage } from '../../ports/out-message.ts';

/** Long enough for a person who writes back weeks later; cases are closed long before. */
const HOLD_TTL_SECONDS = 60 * 24 * 60 * 60;
const MAX_HELD = 50;

export class HeldMessages {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly cipher: PersonalDataCipher,
  ) {}

  private key(chatId: string): string {
    return this.keys.key('wa', 'held', this.keys.person({ channel: 'whatsapp', id: chatId }));
  }

  async hold(chatId: string, messages: OutMessage[]): Promise<void> {
    const key = this.key(chatId);
    const sealed = this.cipher.seal(JSON.stringify(messages), key);
    await this.redis.multi().rpush(key, sealed).ltrim(key, -MAX_HELD, -1).expire(key, HOLD_TTL_SECONDS).exec();
  }

  /** Takes every held answer, oldest first (each is one `send`'s messages); they are gone from Redis after. */
  async take(chatId: string): Promise<OutMessage[][]> {
    const key = this.key(chatId);
    const result = await this.redis.multi().lrange(key, 0, -1).del(key).exec();
    const sealed = (result?.[0]?.[1] as string[] | undefined) ?? [];
    return sealed.map((s) => JSON.parse(this.cipher.open(s, key)) as OutMessage[]);
  }

  async count(chatId: string): Promise<number> {
    return this.redis.llen(this.key(chatId));
  }
}

/**
 * "EFFACER" (erase my data) on WhatsApp: what the channel keeps about the person goes too — messages held for
 * them and the mark that they wrote recently. Built without the library, so the runtime can have it from the start.
 */
export function whatsAppPersonEraser(redis: Redis, keys: RedisKeys): { eraseFor(chat: ChatRef): Promise<void> } {
  return {
    async eraseFor(chat) {
      if (chat.channel !== 'whatsapp') return;
      const person = keys.person(chat);
      await redis.del(keys.key('wa', 'held', person), keys.key('wa', 'wrote', person));
    },
  };
}
