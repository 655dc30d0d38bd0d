// One process per WhatsApp number: a second bot on the same Redis (same number) waits and says so, and takes over
// when the first one stops.
import { afterEach, describe, expect, it } from 'vitest';
import { RedisWhatsAppLease } from '../../../src/channels/whatsapp/lease.ts';
import { createHarness, type Harness } from './harness.ts';
import { ManualClock } from './manual-clock.ts';

let first: Harness;
let second: Harness;

afterEach(async () => {
  await second?.close();
  await first?.close();
});

describe('the WhatsApp lease', () => {
  it('a second process on the same number waits, tells staff once, and takes over when the first stops', async () => {
    const clock = new ManualClock();
    first = await createHarness({ clock });
    await first.startReady();
    second = await createHarness({
      clock,
      // The same deployment: same key prefix, its own client factory.
      lease: new RedisWhatsAppLease(first.redis, first.keys, 30_000),
    });
    await second.channel.start();
    expect(second.fakes.clients).toHaveLength(0);
    expect(second.channel.getState()).toMatchObject({
      state: 'waiting',
      reason: 'another process runs WhatsApp for this number',
    });
    expect(second.notices.map((n) => n.kind)).toEqual(['waiting_for_lease']);
    // Still waiting a while later, still told only once, and the first keeps its lease by renewing it.
    await clock.advance(120_000);
    expect(second.fakes.clients).toHaveLength(0);
    expect(second.notices).toHaveLength(1);
    expect(first.channel.getState().state).toBe('ready');

    await first.channel.stop();
    await clock.advanceUntil(() => second.fakes.clients.length === 1, 'the second process to take over');
    expect(second.channel.getState().state).toBe('starting');
  });

  it('a lease left by a process that died expires and is taken', async () => {
    const clock = new ManualClock();
    first = await createHarness({ clock });
    const dead = new RedisWhatsAppLease(first.redis, first.keys, 200);
    expect(await dead.acquire()).toBe(true);
    second = await createHarness({ clock, lease: new RedisWhatsAppLease(first.redis, first.keys, 200) });
    await second.channel.start();
    expect(second.channel.getState().state).toBe('waiting');
    // Real Redis expiry: wait (bounded) for the key to go, then the next retry takes it.
    const key = first.keys.key('wa', 'lease');
    for (let i = 0; i < 100 && (await first.redis.exists(key)) === 1; i++) await new Promise((r) => setTimeout(r, 10));
    await clock.advanceUntil(() => second.fakes.clients.length === 1, 'the takeover', 100);
  });
});
