// The referral queue keeps BullMQ off the shared command connection (issue 17.7): BullMQ defines its Lua scripts on
// the connection it is given, and ioredis then copies every one of them onto each pipeline it builds for that
// connection — every auto-pipelined batch of every conversation turn (about 30 µs instead of 3 each).
import { afterEach, describe, expect, it } from 'vitest';
import { newChat, type ReferralFixture, referEffect, referralFixture } from './support/referrals.ts';

describe('the referral queue on its own connection', () => {
  let fx: ReferralFixture;
  afterEach(async () => fx?.cleanup());

  it('queues a case without defining BullMQ scripts on the shared connection', async () => {
    fx = await referralFixture();
    const result = await fx.service.intake(newChat(), referEffect(), 'fr');
    expect(result.created).toBe(true);
    expect(await fx.service.queue.count()).toBeGreaterThan(0);
    // ioredis keeps the scripts defined on a connection here (what each new pipeline copies).
    expect(Object.keys((fx.redis as unknown as { scriptsSet: object }).scriptsSet)).toEqual([]);
  });
});
