// A broadcast whose worker process is killed with SIGKILL halfway, then resumed by a new process: every person gets
// the alert exactly once, including the one whose message the killed worker had just sent but not yet recorded.
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../support/redis.ts';
import { type AlertsFixture, alertsFixture, anAlert, deliveries, subscribeMany } from './support/alerts.ts';
import { type AlertWorkerEnv, AlertWorkerProcess } from './support/worker-process.ts';

describe('a broadcast killed halfway and resumed', () => {
  let f: AlertsFixture;
  const processes: AlertWorkerProcess[] = [];
  afterEach(async () => {
    for (const p of processes.splice(0)) await p.stop();
    await f.close();
  });

  it('delivers every message exactly once', async () => {
    f = await alertsFixture();
    const env: AlertWorkerEnv = {
      KF_REDIS_URL: TEST_REDIS_URL,
      KF_PREFIX: f.prefix,
      KF_TOKEN: f.server.token,
      KF_API_ROOT: f.server.apiRoot,
      KF_RATE: '50',
      KF_CONCURRENCY: '1',
    };
    const people = await subscribeMany(f.subscriptions, 40);
    const first = await AlertWorkerProcess.start(env);
    processes.push(first);
    // Killed at the worst moment: Telegram has the 15th message, the worker has not yet seen the answer.
    const stop = f.server.onCall((call) => {
      if (call.method === 'sendMessage' && f.server.callsTo('sendMessage').length === 15) first.killNow();
    });
    const alert = anAlert();
    await f.broadcast.publish(alert);
    await first.gone();
    stop();
    const halfway = await f.broadcast.report(alert.id);
    expect(halfway?.pending).toBeGreaterThan(0);
    expect(f.server.callsTo('sendMessage')).toHaveLength(15);

    processes.push(await AlertWorkerProcess.start(env));
    const report = await f.finished(alert.id, 45_000);

    const sent = deliveries(f.server);
    expect(sent.size).toBe(people.length);
    for (const chat of people) expect(sent.get(chat.id)).toEqual(['La frontière est fermée.']);
    expect(f.server.callsTo('sendMessage')).toHaveLength(people.length);
    // The message sent just before the kill is never resent: its outcome is `unconfirmed` (counted as failed),
    // since the worker died before it could record the answer.
    expect(report).toMatchObject({ pending: 0, blocked: 0 });
    expect(report.sent + report.unconfirmed).toBe(people.length);
    expect(report.unconfirmed).toBeLessThanOrEqual(1);
  });
});
