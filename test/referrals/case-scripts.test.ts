// The case scripts run through the one Lua loader (src/infra/lua.ts): Redis holds each under the sha of its source
// with its KEYS/ARGV header, and a Redis that forgot its scripts (a restart, SCRIPT FLUSH) is given them again.
// A private redis-server, so flushing scripts touches no other test.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { RedisKeys } from '../../src/infra/keys.ts';
import { type PrivateRedis, startPrivateRedis } from '../../src/infra/private-redis.ts';
import { connectRedis } from '../../src/infra/redis.ts';
import * as scripts from '../../src/referrals/case-scripts.ts';
import { createReferralService, type ReferralService } from '../../src/referrals/service.ts';
import { shippedNotices } from '../support/app.ts';
import { newChat, PARTNERS, RecordingNotifier, RecordingOutbox, referEffect, TestClock } from './support/referrals.ts';

let dir = '';
let server: PrivateRedis;
let redis: Redis;
let service: ReferralService;
const awa = { id: 'awa', partner: 'ame', role: 'staff' as const };

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kf-case-scripts-'));
  server = await startPrivateRedis(dir);
  redis = connectRedis({ path: server.socket });
  service = createReferralService({
    notices: await shippedNotices(),
    redis,
    keys: new RedisKeys(`t-${randomBytes(4).toString('hex')}`),
    cipher: new PersonalDataCipher(devDataKeys('case-scripts')),
    partners: PARTNERS,
    outbox: new RecordingOutbox(),
    notifier: new RecordingNotifier(),
    clock: new TestClock(),
    options: { fallbackPartner: 'aracem', pseudonymSecret: randomBytes(16).toString('hex') },
  });
});

afterEach(async () => {
  await service.stop();
  redis.disconnect();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('case scripts on the one Lua loader', () => {
  it('each declares its KEYS and ARGV by name in the source Redis runs', () => {
    const all = Object.values(scripts).filter((v) => typeof v === 'object' && v !== null && 'sha' in v);
    expect(all.length).toBeGreaterThanOrEqual(16);
    for (const script of all) {
      expect(script.source).toMatch(/^--\[\[ kf:case-[a-z-]+\n {2}KEYS\[1\] \w+/);
      expect(script.source).toContain(`ARGV[${script.argv.length}] ${script.argv.at(-1)}`);
    }
  });

  it('creates, claims and closes a case, and keeps working after Redis forgets its scripts', async () => {
    const chat = newChat();
    const created = await service.intake(chat, referEffect(), 'fr');
    if (!created.created) throw new Error('no case created');
    const { no } = created;
    // Loaded under the sha of the source with its header: the one loader ran it.
    expect(await redis.script('EXISTS', scripts.CREATE.sha)).toEqual([1]);

    await redis.script('FLUSH');
    await service.dispatch(no);
    expect((await service.claim(no, awa)).ok).toBe(true);
    expect(await redis.script('EXISTS', scripts.CLAIM.sha)).toEqual([1]);
    expect((await service.closeCase(no, awa, 'helped')).ok).toBe(true);
    expect((await service.openCasesOf(chat)).map((c) => c.no)).toEqual([]);
  });
});
