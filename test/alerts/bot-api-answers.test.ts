// What the Bot API answers to an alert and what the broadcast makes of it, through the bulk sender's own HTTP client:
// a 5xx is retried (nothing was sent), a request without an answer may have arrived.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TelegramBulkSender } from '../../src/channels/telegram/sender.ts';
import { type AlertsFixture, alertsFixture, anAlert, deliveries, subscribeMany } from './support/alerts.ts';

describe('Bot API answers to alerts', () => {
  let f: AlertsFixture | null = null;
  afterEach(async () => {
    await f?.close();
    f = null;
  });

  it('a 5xx is sent again later and counted once; 5xx to every attempt fails with its reason', async () => {
    f = await alertsFixture();
    const [once, always, other] = (await subscribeMany(f.subscriptions, 3)).map((chat) => chat.id) as [
      string,
      string,
      string,
    ];
    f.server.failNext({ status: 500 }, { chatId: once });
    f.server.failNext({ status: 500 }, { chatId: always, times: 2 });
    await f.startWorkers({ ratePerSecond: 50, attempts: 2 });
    const alert = anAlert();
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);

    expect(report).toMatchObject({ sent: 2, uncertain: 0, failed: 1, failedReasons: { telegram_error: 1 } });
    const sent = deliveries(f.server);
    expect(sent.get(once)).toHaveLength(1);
    expect(sent.get(other)).toHaveLength(1);
    expect(sent.get(always)).toBeUndefined();
  });

  it('a request the Bot API does not answer in time is "no answer" (it may have arrived)', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const sender = new TelegramBulkSender({ token: 't', apiRoot: `http://127.0.0.1:${port}`, timeoutSeconds: 0.2 });
      expect(await sender.send('1', 'Alerte')).toEqual({ kind: 'no_answer' });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
