// The partner's audit log: its administrators read logins (account, address, success), views of personal data,
// claims, transfers, closes and account changes of their own partner only; it holds no personal data and forgets
// entries after the retention period.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Client, type Console, createConsole } from './support/console.ts';

let k: Console;
beforeEach(async () => {
  k = await createConsole();
});
afterEach(async () => {
  await k.close();
});

test("an administrator reads their partner's log, and only theirs; staff cannot", async () => {
  const admin = await k.account('Directrice Ame', 'ame', 'admin');
  const awa = await k.account('Awa Traoré', 'ame');
  const moussa = await k.account('Moussa Aracem', 'aracem');
  const { no, chat } = await k.openCase({ nickname: 'Fanta', phone: '+223 70 11 22 33', description: 'Battue' });

  expect((await new Client(k.app, undefined, '203.0.113.9').login(awa.id, 'wrong guess')).status).toBe(401);
  const c = new Client(k.app, undefined, '198.51.100.4');
  await c.login(awa.id);
  await c.page(`/cases/${no}`);
  await c.post(`/cases/${no}/claim`);
  await c.page(`/cases/${no}`);
  await c.post(`/cases/${no}/transfer`, { to: 'aracem' });
  await k.referrals.answerTransfer(chat, no, false);
  await c.page(`/cases/${no}`);
  await c.post(`/cases/${no}/close`, { outcome: 'helped' });
  await new Client(k.app, undefined, '192.0.2.1').login(moussa.id);

  expect((await c.get('/audit')).status).toBe(403);
  const boss = new Client(k.app, undefined, '198.51.100.5');
  await boss.login(admin.id);
  const { status, html } = await boss.page('/audit');
  expect(status).toBe(200);
  const rows = [...html.matchAll(/<tr><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)(?:<\/td>)/g)].map((m) => [
    m[1],
    m[2],
  ]);
  expect(rows).toContainEqual(['Awa Traoré', 'wrong password']);
  expect(rows).toContainEqual(['Awa Traoré', 'logged in']);
  expect(rows).toContainEqual(['Awa Traoré', 'viewed personal data']);
  expect(rows).toContainEqual(['Awa Traoré', 'claimed']);
  expect(rows).toContainEqual(['Awa Traoré', 'transfer proposed to the person → ARACEM']);
  expect(rows).toContainEqual(['The person', 'transfer declined by the person → ARACEM']);
  expect(rows).toContainEqual(['Awa Traoré', 'closed']);
  expect(html).toContain('203.0.113.9');
  expect(html).toContain('198.51.100.4');
  expect(html).toContain(`href="/cases/${no}"`);
  // Another partner's logins are not in AME's log.
  expect(html).not.toContain('Moussa');
  expect(html).not.toContain('192.0.2.1');

  // No personal data in the stored log.
  const stored = (await k.redis.keys(`${k.keys.key('staff', 'audit')}*`)).sort();
  expect(stored.length).toBe(2);
  for (const key of stored) {
    const members = await k.redis.zrange(key, '0', '-1');
    expect(members.join('\n')).not.toMatch(/Fanta|70 11 22 33|Battue/);
  }
});

test('entries older than the retention period are gone', async () => {
  const admin = await k.account('Directrice', 'ame', 'admin');
  const boss = new Client(k.app, undefined, '198.51.100.5');
  await boss.login(admin.id);
  expect((await boss.page('/audit')).html).toContain('logged in');
  k.clock.offset += 366 * 86_400_000;
  const again = new Client(k.app, undefined, '198.51.100.6');
  await again.login(admin.id);
  const rows = (await again.page('/audit')).html.match(/logged in/g) ?? [];
  expect(rows).toHaveLength(1);
});

test('the retention period is the configured one (AUDIT_RETENTION_DAYS)', async () => {
  const short = await createConsole({ auditRetentionDays: 30 });
  try {
    const admin = await short.account('Directrice', 'ame', 'admin');
    await new Client(short.app, undefined, '198.51.100.7').login(admin.id);
    short.clock.offset += 29 * 86_400_000;
    const boss = new Client(short.app, undefined, '198.51.100.8');
    await boss.login(admin.id);
    expect((await boss.page('/audit')).html).toContain('198.51.100.7');
    short.clock.offset += 2 * 86_400_000;
    const later = new Client(short.app, undefined, '198.51.100.9');
    await later.login(admin.id);
    const html = (await later.page('/audit')).html;
    // 31 days on, the first login is gone; the second (2 days old) is still there.
    expect(html).not.toContain('198.51.100.7');
    expect(html).toContain('198.51.100.8');
  } finally {
    await short.close();
  }
});
