// Erasure keeps BullMQ off the shared command connection (issue 17.7): BullMQ defines its Lua scripts on the
// connection it is given, and ioredis then copies every one of them onto each pipeline it builds for that
// connection — every auto-pipelined batch of every conversation turn after the first erasure in a process.
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertsFixture, alertsFixture, anAlert, subscribeMany } from './support/alerts.ts';

describe('alert erasure on its own connection', () => {
  let f: AlertsFixture;
  afterEach(async () => {
    await f.close();
  });

  it('removes the person from a broadcast without defining BullMQ scripts on the shared connection', async () => {
    f = await alertsFixture();
    const [person, other] = await subscribeMany(f.subscriptions, 2);
    const alert = anAlert();
    await f.broadcast.publish(alert);

    await f.subscriptions.eraseFor(person!);

    expect(await f.subscriptions.get(person!)).toBeNull();
    expect(await f.subscriptions.get(other!)).not.toBeNull();
    // ioredis keeps the scripts defined on a connection here (what each new pipeline copies).
    expect(Object.keys((f.redis as unknown as { scriptsSet: object }).scriptsSet)).toEqual([]);
  });
});
