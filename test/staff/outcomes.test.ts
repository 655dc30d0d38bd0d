// The outcomes page and CSV export of a partner (no personal data), and the first-reply deadline after a claim.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { outcomeFigures } from '../../src/staff/outcomes.ts';
import { Client, type Console, createConsole } from './support/console.ts';

let k: Console;
beforeEach(async () => {
  k = await createConsole();
});
afterEach(async () => {
  await k.close();
});

const HOUR = 3_600_000;

async function login(name: string, partner: string) {
  const account = await k.account(name, partner);
  const c = new Client(k.app, undefined, `10.6.${Math.floor(Math.random() * 250)}.1`);
  await c.login(account.id);
  return { c, actor: { id: `web:${account.id}`, partner } };
}

test("figures and CSV of the partner's cases: received, time to claim and close, outcomes; no personal data", async () => {
  const { actor } = await login('Awa', 'ame');
  const a = await k.openCase({ nickname: 'Fanta', phone: '+223 70 00 00 09', description: 'Secret story' });
  const b = await k.openCase({ nickname: 'Issa' }, 'legal', 'bamako', true);
  await k.openCase({ nickname: 'Moussa' }, 'legal', 'gao');
  k.clock.offset += HOUR;
  await k.referrals.claim(a.no, actor);
  k.clock.offset += HOUR;
  await k.referrals.claim(b.no, actor);
  k.clock.offset += HOUR;
  await k.referrals.closeCase(a.no, actor, 'helped');
  await k.referrals.closeCase(b.no, actor, 'unreachable');
  const aracem = await login('Moussa', 'aracem');
  await k.openCase({ nickname: 'X' }, 'legal', 'kayes');

  const { c } = await login('Awa again', 'ame');
  const page = await c.page('/outcomes?days=30');
  expect(page.status).toBe(200);
  const text = page.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  expect(text).toContain('Cases received 3 (1 urgent)');
  expect(text).toContain('Still open 1');
  expect(text).toContain('Time to claim median 1 h, 90% within 2 h');
  expect(text).toContain('Time to close median 3 h, 90% within 3 h');
  expect(text).toMatch(/Helped\s+1/);
  expect(text).toMatch(/Could not be reached\s+1/);

  const csv = await c.get('/outcomes.csv?days=30');
  expect(csv.headers.get('content-type')).toContain('text/csv');
  const body = await csv.text();
  const lines = body.trim().split('\r\n');
  expect(lines[0]).toBe('case,need,region,language,channel,status,urgent,created,first_claimed,closed,outcome');
  expect(lines).toHaveLength(4);
  expect(body).toContain(`${a.no},legal,bamako,fr,telegram,closed,no,`);
  expect(body).toMatch(new RegExp(`${b.no},legal,bamako,fr,telegram,closed,yes,.*,unreachable`));
  expect(body).not.toMatch(/Fanta|Issa|Moussa|70 00 00 09|Secret/);
  // Another partner's export has none of these.
  expect(await (await aracem.c.get('/outcomes.csv')).text()).not.toContain(a.no);
});

test('a claimed case with no word to the person for 4 hours shows as overdue, until someone writes', async () => {
  const { actor } = await login('Awa', 'ame');
  const { no } = await k.openCase();
  await k.referrals.claim(no, actor);
  k.clock.offset += 5 * HOUR;
  // The deadline check reminds the holder once.
  expect((await k.referrals.checkDeadlines()).replyReminded).toBe(1);
  expect((await k.referrals.checkDeadlines()).replyReminded).toBe(0);
  const later = await login('Awa later', 'ame');
  expect((await later.c.page('/cases')).html).toContain('no reply yet');
  const casePage = (await later.c.page(`/cases/${no}`)).html;
  expect(casePage).toContain('no reply yet: write to the person');
  expect(casePage).toContain('holder reminded to write to the person');
  expect(await k.referrals.reply(no, actor, 'Bonjour, nous vous appelons demain.')).toMatchObject({ ok: true });
  expect((await later.c.page('/cases')).html).not.toContain('no reply yet');
});

test('median and 90th percentile are nearest-rank values', () => {
  const base = { need: 'legal', region: 'bamako', lang: 'fr', channel: 'telegram', partner: 'ame', waitingSince: 0 };
  const cases = Array.from({ length: 10 }, (_, i) => ({
    ...base,
    no: `K-000${i}`,
    status: 'claimed' as const,
    createdAt: 0,
    claimedAt: (i + 1) * 60_000,
    urgent: false,
    overdue: false,
    erased: false,
    purged: false,
    replyOverdue: false,
  }));
  const f = outcomeFigures(cases);
  expect(f.toClaim).toEqual({ count: 10, median: 5 * 60_000, p90: 9 * 60_000 });
  expect(f.toClose).toEqual({ count: 0, median: null, p90: null });
});
