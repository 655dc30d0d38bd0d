// A referral service on real Redis and BullMQ with a random key prefix, a clock the test moves, and an outbox and a
// staff notifier that record what they were given.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import type { RedisKeys } from '../../../src/infra/keys.ts';
import type { Logger } from '../../../src/infra/logger.ts';
import type { ChatRef } from '../../../src/ports/chat.ts';
import type { OutMessage } from '../../../src/ports/out-message.ts';
import type { Outbox } from '../../../src/ports/outbox.ts';
import type { IntakeResult, ReferEffect } from '../../../src/ports/services.ts';
import type { Partner } from '../../../src/referrals/partners.ts';
import {
  AnnouncementBusyError,
  createReferralService,
  type ReferralOptions,
  type ReferralService,
} from '../../../src/referrals/service.ts';
import type { StaffEvent, StaffNotifier } from '../../../src/referrals/staff-notifier.ts';
import { shippedNotices } from '../../support/app.ts';
import { testRedis } from '../../support/redis.ts';

export const PARTNERS: Partner[] = [
  { id: 'ame', name: 'AME', needs: ['orientation', 'housing', 'health', 'legal'], regions: ['bamako'], languages: [] },
  { id: 'aracem', name: 'ARACEM', needs: ['orientation', 'other'], regions: ['bamako'], languages: [] },
  {
    id: 'gao-house',
    name: 'Maison du Migrant',
    needs: ['housing', 'health', 'legal'],
    regions: ['gao'],
    languages: [],
  },
  { id: 'network', name: 'Loujna', needs: ['legal'], regions: ['all'], languages: [] },
];

export class TestClock {
  constructor(public t = Date.UTC(2026, 0, 15, 9, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export class RecordingOutbox implements Outbox {
  sent: { chat: ChatRef; messages: OutMessage[] }[] = [];
  failFor = new Set<string>();
  async send(chat: ChatRef, messages: OutMessage[]): Promise<void> {
    if (this.failFor.has(chat.id)) throw new Error('blocked');
    this.sent.push({ chat, messages });
  }
  /** Every paragraph (and title) sent to one chat, in order. */
  textsTo(chat: ChatRef): string[] {
    return this.sent
      .filter((s) => s.chat.channel === chat.channel && s.chat.id === chat.id)
      .flatMap((s) => s.messages.flatMap((m) => [...(m.title ? [m.title] : []), ...m.paragraphs]));
  }
}

export class RecordingNotifier implements StaffNotifier {
  events: StaffEvent[] = [];
  async notify(event: StaffEvent): Promise<void> {
    this.events.push(event);
  }
  ofType<T extends StaffEvent['type']>(type: T): Extract<StaffEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<StaffEvent, { type: T }> => e.type === type);
  }
}

export type ReferralFixture = {
  redis: Redis;
  keys: RedisKeys;
  prefix: string;
  service: ReferralService;
  clock: TestClock;
  outbox: RecordingOutbox;
  notifier: RecordingNotifier;
  cipher: PersonalDataCipher;
  secret: string;
  dataPassphrase: string;
  cleanup(): Promise<void>;
};

export async function referralFixture(
  options: Partial<ReferralOptions> = {},
  extra: { logger?: Logger } = {},
): Promise<ReferralFixture> {
  const base = await testRedis();
  const clock = new TestClock();
  const outbox = new RecordingOutbox();
  const notifier = new RecordingNotifier();
  const dataPassphrase = randomBytes(8).toString('hex');
  const cipher = new PersonalDataCipher(devDataKeys(dataPassphrase));
  const secret = randomBytes(16).toString('hex');
  const service = createReferralService({
    redis: base.redis,
    keys: base.keys,
    cipher,
    partners: PARTNERS,
    outbox,
    notifier,
    notices: await shippedNotices(),
    clock,
    options: {
      fallbackPartner: 'aracem',
      pseudonymSecret: secret,
      remindAfterHours: 4,
      escalateAfterHours: 24,
      ...options,
    },
    ...(extra.logger ? { logger: extra.logger } : {}),
  });
  return {
    redis: base.redis,
    keys: base.keys,
    prefix: base.prefix,
    service,
    clock,
    outbox,
    notifier,
    cipher,
    secret,
    dataPassphrase,
    async cleanup() {
      await service.stop();
      await base.cleanup();
    },
  };
}

let chats = 0;
export function newChat(channel: ChatRef['channel'] = 'telegram'): ChatRef {
  chats += 1;
  const id = channel === 'whatsapp' ? `2237${String(6000000 + chats)}@c.us` : String(900000 + chats);
  return { channel, id };
}

export function referEffect(overrides: Partial<ReferEffect> = {}): ReferEffect {
  return {
    type: 'refer',
    intakeId: 'i1',
    need: 'legal',
    region: 'bamako',
    fields: { nickname: 'Awa', description: 'My passport was taken at the border.' },
    ...overrides,
  };
}

/** The case number the intake answered. */
export function caseNumberIn(result: IntakeResult): string {
  if (!result.created) throw new Error(`no case: ${result.reason}`);
  return result.no;
}

/** Intake, then publish as the worker would (tests of staff operations do not need a BullMQ worker running). */
export async function openCase(
  f: ReferralFixture,
  chat: ChatRef,
  effect: ReferEffect = referEffect(),
): Promise<string> {
  const no = caseNumberIn(await f.service.intake(chat, effect, 'fr'));
  // A worker running in the same test may be announcing the case right now: dispatch is idempotent, so once that
  // announcement is done, ours answers "already".
  await eventually(() =>
    f.service.dispatch(no).then(
      () => true,
      (err: unknown) => {
        if (err instanceof AnnouncementBusyError) return undefined;
        throw err;
      },
    ),
  );
  return no;
}

/** Polls until `check` returns a value other than undefined (failing after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every key under the prefix with every string it holds (hash fields and values, list items, members...). */
export async function dumpKeys(redis: Redis, root: string): Promise<Map<string, string[]>> {
  const dump = new Map<string, string[]>();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${root}*`, 'COUNT', 500);
    cursor = next;
    for (const key of found) {
      const type = await redis.type(key);
      let values: string[] = [];
      if (type === 'string') values = [(await redis.get(key)) ?? ''];
      else if (type === 'hash') values = Object.entries(await redis.hgetall(key)).flat();
      else if (type === 'list') values = await redis.lrange(key, 0, -1);
      else if (type === 'set') values = await redis.smembers(key);
      else if (type === 'zset') values = await redis.zrange(key, 0, '-1');
      else if (type === 'stream') {
        const entries = await redis.xrange(key, '-', '+');
        values = entries.flatMap(([id, fields]) => [id, ...fields]);
      }
      dump.set(key, [key, ...values]);
    }
  } while (cursor !== '0');
  return dump;
}
