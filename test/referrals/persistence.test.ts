import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { RedisKeys } from '../../src/infra/keys.ts';
import { type CaseDetails, createReferralService, type ReferralService } from '../../src/referrals/service.ts';
import { shippedNotices } from '../support/app.ts';
import { PrivateRedis } from './support/private-redis.ts';
import {
  caseNumberIn,
  PARTNERS,
  RecordingNotifier,
  RecordingOutbox,
  referEffect,
  TestClock,
} from './support/referrals.ts';

describe('a private redis-server with AOF (appendfsync everysec) killed and restarted', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('keeps every acknowledged case, with its state and sealed data', async () => {
    const server = await PrivateRedis.start();
    cleanups.push(() => server.stop());
    const keys = new RedisKeys('kf');
    const cipher = new PersonalDataCipher(devDataKeys('persistence'));
    const secret = randomBytes(16).toString('hex');
    const connect = () => {
      const redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
      redis.on('error', () => {}); // refused connections while the server is down are expected here
      return redis;
    };
    const notices = await shippedNotices();
    const build = (redis: Redis): ReferralService =>
      createReferralService({
        notices,
        redis,
        keys,
        cipher,
        partners: PARTNERS,
        outbox: new RecordingOutbox(),
        notifier: new RecordingNotifier(),
        clock: new TestClock(),
        options: { fallbackPartner: 'aracem', pseudonymSecret: secret },
      });

    const before = connect();
    const service = build(before);
    const acknowledged = new Map<string, { chat: string; claimed: boolean }>();
    const intakeOne = async (i: number) => {
      const chat = { channel: 'telegram' as const, id: String(7000 + i) };
      const no = caseNumberIn(
        await service.intake(chat, referEffect({ intakeId: `i${i}`, fields: { nickname: `n${i}` } }), 'fr'),
      );
      await service.dispatch(no);
      let claimed = false;
      if (i % 3 === 0) claimed = (await service.claim(no, { id: `tg:${i}`, partner: 'ame' })).ok;
      acknowledged.set(no, { chat: chat.id, claimed });
    };
    // Cases keep arriving while Redis is killed: those acknowledged before the kill must all survive.
    const traffic = (async () => {
      for (let i = 0; i < 400; i++) {
        try {
          await intakeOne(i);
        } catch {
          return;
        }
      }
    })();
    while (acknowledged.size < 150) await new Promise((r) => setTimeout(r, 5));
    await server.kill();
    await traffic;
    const count = acknowledged.size;
    expect(count).toBeGreaterThanOrEqual(150);
    expect(count).toBeLessThan(400);

    await server.restart();
    const after = connect();
    cleanups.push(async () => {
      await service.stop();
      before.disconnect();
      after.disconnect();
    });
    const reader = build(after);
    cleanups.push(() => reader.stop());

    const queue = await reader.listQueue('ame');
    const listed = new Set([...queue.waiting, ...queue.overdue, ...queue.claimed].map((c) => c.no));
    for (const [no, state] of acknowledged) {
      expect(listed.has(no)).toBe(true);
      const details = (await reader.details(no, { id: 'web:x', partner: 'ame' })) as CaseDetails;
      expect(details.case.status).toBe(state.claimed ? 'claimed' : 'waiting');
      expect(details.personal?.nickname).toBe(`n${Number(state.chat) - 7000}`);
    }
    expect(await after.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
  });
});
