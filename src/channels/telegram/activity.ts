// Whether a Telegram person can still be written to. A 403 (bot blocked, account deleted) marks them inactive and
// unsubscribes them from alerts; a new /start makes them active again (their subscriptions stay removed: they
// re-subscribe if they want alerts again).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../infra/keys.ts';
import type { ChatRef } from '../../ports/chat.ts';
import type { Subscriptions } from '../../ports/services.ts';

export class PersonActivity {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly subscriptions?: Subscriptions,
  ) {
    // One set of every inactive person, named by pseudonym (never the chat id).
    this.key = keys.key('inactive');
  }

  async markInactive(chat: ChatRef): Promise<void> {
    await this.redis.sadd(this.key, this.keys.person(chat));
    await this.subscriptions?.unsubscribe(chat, []);
  }

  /** Returns true if the person was inactive. */
  async markActive(chat: ChatRef): Promise<boolean> {
    return (await this.redis.srem(this.key, this.keys.person(chat))) > 0;
  }

  async isInactive(chat: ChatRef): Promise<boolean> {
    return (await this.redis.sismember(this.key, this.keys.person(chat))) === 1;
  }
}
