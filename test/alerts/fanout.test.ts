// The fan-out enqueues a broadcast a few seconds ahead of the senders; workers that close while it waits for the
// queue to shrink give its job back, and the next process goes on from where it was.
import { afterEach, describe, expect, it } from 'vitest';
import { type AlertsFixture, alertsFixture, anAlert, deliveries, subscribeMany } from './support/alerts.ts';

describe('alert fan-out', () => {
  let f: AlertsFixture;
  afterEach(async () => {
    await f.close();
  });

  it('workers closing while the fan-out waits for the queue close at once; the next ones send to everyone once', async () => {
    f = await alertsFixture();
    // At 5/s the fan-out keeps 500 sends waiting (its floor), so 800 people leave it waiting for room.
    const people = await subscribeMany(f.subscriptions, 800);
    const first = await f.startWorkers({ ratePerSecond: 5 });
    const alert = anAlert();
    await f.broadcast.publish(alert);
    while ((await f.broadcast.sendQueue.getWaitingCount()) <= 500) await new Promise((r) => setTimeout(r, 20));

    const closing = Date.now();
    await first.close();
    expect(Date.now() - closing).toBeLessThan(5_000);

    await f.startWorkers({ ratePerSecond: 1000 });
    const report = await f.finished(alert.id);
    expect(report).toMatchObject({ total: 800, sent: 800, uncertain: 0, failed: 0, pending: 0 });
    const sent = deliveries(f.server);
    for (const chat of people) expect(sent.get(chat.id)).toHaveLength(1);
  });
});
