// The referral pages over HTTP: queue, claim exactly-once, rights per partner, case detail, relay, transfer,
// release, close and the audit trail — on the real referral service, Redis and BullMQ.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Client, type Console, createConsole, errorOf, location } from './support/console.ts';

let k: Console;
beforeEach(async () => {
  k = await createConsole();
});
afterEach(async () => {
  await k.close();
});

async function staffOf(partner: string, name: string, role: 'staff' | 'admin' = 'staff') {
  const account = await k.account(name, partner, role);
  const c = new Client(k.app, undefined, `10.1.${Math.floor(Math.random() * 250)}.1`);
  const res = await c.login(account.id);
  expect(res.status).toBe(303);
  return { account, c };
}

describe('queue', () => {
  test("shows the partner's waiting cases, overdue first, with no personal data", async () => {
    const older = await k.openCase({ nickname: 'Fanta', description: 'Expulsée hier' });
    k.clock.offset += 7 * 3600_000;
    // Logged in after the 7 hours: a session idle that long has ended.
    const { c } = await staffOf('ame', 'Awa');
    const newer = await k.openCase({ nickname: 'Issa', description: 'Passeport pris' });
    const { status, html } = await c.page('/cases');
    expect(status).toBe(200);
    expect(html).toContain(older.no);
    expect(html).toContain(newer.no);
    expect(html.indexOf('Overdue (1)')).toBeLessThan(html.indexOf(older.no));
    expect(html.indexOf(older.no)).toBeLessThan(html.indexOf('Waiting (1)'));
    expect(html.indexOf('Waiting (1)')).toBeLessThan(html.indexOf(newer.no));
    for (const secret of ['Fanta', 'Issa', 'Expulsée', 'Passeport pris']) expect(html).not.toContain(secret);
    expect(html.length).toBeLessThan(30_000);
  });

  test("neither staff nor an administrator can list another partner's queue", async () => {
    const { c } = await staffOf('aracem', 'Moussa');
    const { no } = await k.openCase();
    expect((await c.get('/cases?partner=ame')).status).toBe(403);
    expect((await c.page('/cases')).html).not.toContain(no);
    const admin = await staffOf('aracem', 'Admin', 'admin');
    const page = await admin.c.page('/cases?partner=ame');
    expect(page.status).toBe(403);
    expect(page.html).not.toContain(no);
    expect((await admin.c.page('/cases')).html).not.toContain(no);
  });
});

describe('claim', () => {
  test('two staff pressing Claim at once: exactly one gets the case, the other is told who has it', async () => {
    const awa = await staffOf('ame', 'Awa Traoré');
    const binta = await staffOf('ame', 'Binta Diallo');
    const { no, chat } = await k.openCase();
    await awa.c.page('/cases');
    await binta.c.page('/cases');
    const [a, b] = await Promise.all([awa.c.post(`/cases/${no}/claim`), binta.c.post(`/cases/${no}/claim`)]);
    const locations = [location(a), location(b)].sort();
    expect(locations[0]).toBe(`/cases/${no}?done=claimed`);
    expect(locations[1]).toBe(`/cases/${no}?error=taken`);
    const winner = location(a).includes('done=claimed') ? awa : binta;
    const loser = winner === awa ? binta : awa;
    expect((await k.referrals.summary(no))?.claimedBy).toBe(`web:${winner.account.id}`);
    const seen = (await loser.c.page(location(winner === awa ? b : a))).html;
    expect(seen).toContain('Someone else claimed this case first.');
    expect(seen).toContain(`Claimed by ${winner.account.name}`);
    // The person is told once that their case was taken.
    expect(k.outbox.sent.filter((s) => s.chat.id === chat.id)).toHaveLength(1);
  });

  test("claiming or opening another partner's case is answered like a missing case (404)", async () => {
    const { c } = await staffOf('aracem', 'Moussa');
    const { no } = await k.openCase();
    expect((await c.get(`/cases/${no}`)).status).toBe(404);
    await c.page('/cases');
    expect((await c.post(`/cases/${no}/claim`)).status).toBe(404);
    for (const action of ['release', 'reply', 'close', 'transfer']) {
      expect((await c.post(`/cases/${no}/${action}`, { text: 'x', outcome: 'helped', to: 'aracem' })).status).toBe(404);
    }
    expect((await k.referrals.summary(no))?.status).toBe('waiting');
  });

  test('an unknown case is a 404', async () => {
    const { c } = await staffOf('ame', 'Awa');
    expect((await c.get('/cases/K-ZZZZ')).status).toBe(404);
    expect((await c.get('/cases/not-a-case')).status).toBe(404);
  });
});

describe('case detail and work on it', () => {
  test("the partner's staff see the decrypted details, escaped; for an admin of another partner it does not exist", async () => {
    const { c } = await staffOf('ame', 'Awa');
    const { no } = await k.openCase({
      nickname: 'Fanta',
      phone: '+223 70 00 00 00',
      description: 'Battue <script>x</script>',
    });
    const page = await c.page(`/cases/${no}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Fanta');
    expect(page.html).toContain('+223 70 00 00 00');
    expect(page.html).toContain('Battue &lt;script&gt;x&lt;/script&gt;');
    expect(page.html).not.toContain('<script>');
    expect(page.res.headers.get('cache-control')).toBe('no-store');

    const admin = await staffOf('aracem', 'Chef', 'admin');
    const seen = await admin.c.page(`/cases/${no}`);
    expect(seen.status).toBe(404);
    expect(seen.html).not.toContain('Fanta');
    expect(errorOf(seen.html)).toContain('This case does not exist.');
  });

  test('claim, reply, see the answer, close: the person hears each step and the audit trail records it', async () => {
    const { account, c } = await staffOf('ame', 'Awa Traoré');
    const { no, chat } = await k.openCase();
    await c.page(`/cases/${no}`);
    expect(location(await c.post(`/cases/${no}/claim`))).toBe(`/cases/${no}?done=claimed`);

    await c.page(`/cases/${no}`);
    const reply = await c.post(`/cases/${no}/reply`, { text: 'Bonjour, nous pouvons vous recevoir demain.' });
    expect(location(reply)).toBe(`/cases/${no}?done=replied`);
    expect(k.outbox.textsTo(chat)).toContain('Bonjour, nous pouvons vous recevoir demain.');

    expect(await k.referrals.relayFromPerson(chat, 'Merci, à quelle heure ?')).toBe(true);
    const withAnswer = await c.page(`/cases/${no}`);
    expect(withAnswer.html).toContain('Bonjour, nous pouvons vous recevoir demain.');
    expect(withAnswer.html).toContain('Merci, à quelle heure ?');

    const close = await c.post(`/cases/${no}/close`, { outcome: 'helped', note: 'Reçue le 16.' });
    expect(location(close)).toBe(`/cases/${no}?done=closed`);
    const summary = await k.referrals.summary(no);
    expect(summary?.status).toBe('closed');
    expect(summary?.outcome).toBe('helped');

    const closed = await c.page(`/cases/${no}`);
    const audit = closed.html.slice(closed.html.indexOf('Audit trail'));
    for (const step of ['created', 'claimed', 'replied', 'message from the person', 'closed']) {
      expect(audit).toContain(step);
    }
    expect(audit).toContain(account.name);
    expect(closed.html).not.toContain('action="/cases/' + no + '/reply"');
  });

  test('release puts the case back in the queue; transfer moves it to the other partner once the person agrees', async () => {
    const { c } = await staffOf('ame', 'Awa');
    const { no, chat } = await k.openCase();
    await c.page('/cases');
    await c.post(`/cases/${no}/claim`);
    expect(location(await c.post(`/cases/${no}/release`))).toBe(`/cases/${no}?done=released`);
    expect((await k.referrals.summary(no))?.status).toBe('waiting');

    await c.post(`/cases/${no}/claim`);
    const moved = await c.post(`/cases/${no}/transfer`, { to: 'aracem' });
    expect(location(moved)).toBe(`/cases/${no}?done=transferred`);
    const asked = await c.page(location(moved));
    expect(asked.html).toContain('The person was asked whether they agree to the transfer.');
    expect(asked.html).toContain('transfer to ARACEM');
    expect((await k.referrals.summary(no))?.partner).toBe('ame');
    expect(k.outbox.textsTo(chat).join('\n')).toContain('Tu es d’accord ?');
    expect(await k.referrals.answerTransfer(chat, no, true)).toMatchObject({ ok: true, outcome: 'moved' });
    const summary = await k.referrals.summary(no);
    expect(summary?.partner).toBe('aracem');
    expect(summary?.status).toBe('waiting');
    expect((await c.page('/cases')).html).not.toContain(no);
    const moussa = await staffOf('aracem', 'Moussa');
    expect((await moussa.c.page('/cases')).html).toContain(no);
  });

  test('a reply to a case claimed by someone else is refused', async () => {
    const awa = await staffOf('ame', 'Awa');
    const binta = await staffOf('ame', 'Binta');
    const { no, chat } = await k.openCase();
    await awa.c.page('/cases');
    await awa.c.post(`/cases/${no}/claim`);
    const page = await binta.c.page(`/cases/${no}`);
    expect(page.html).not.toContain(`action="/cases/${no}/reply"`);
    const res = await binta.c.post(`/cases/${no}/reply`, { text: 'Hello' });
    expect(res.status).toBe(403);
    expect(k.outbox.textsTo(chat)).not.toContain('Hello');
  });

  test("an admin of another partner cannot reply on a claimed case; an admin of the case's partner can", async () => {
    const awa = await staffOf('ame', 'Awa');
    const { no, chat } = await k.openCase();
    await awa.c.page('/cases');
    await awa.c.post(`/cases/${no}/claim`);

    const foreign = await staffOf('aracem', 'Chef', 'admin');
    const seen = await foreign.c.page(`/cases/${no}`);
    expect(seen.status).toBe(404);
    await foreign.c.page('/cases');
    const refused = await foreign.c.post(`/cases/${no}/reply`, { text: 'Message from another association' });
    expect(refused.status).toBe(404);
    expect(k.outbox.textsTo(chat)).not.toContain('Message from another association');

    const own = await staffOf('ame', 'Directrice', 'admin');
    expect((await own.c.page(`/cases/${no}`)).html).toContain(`action="/cases/${no}/reply"`);
    const sent = await own.c.post(`/cases/${no}/reply`, { text: 'Bonjour, ici la directrice.' });
    expect(location(sent)).toBe(`/cases/${no}?done=replied`);
    expect(k.outbox.textsTo(chat)).toContain('Bonjour, ici la directrice.');
  });

  test('an unknown outcome or an empty reply is refused without change', async () => {
    const { c } = await staffOf('ame', 'Awa');
    const { no } = await k.openCase();
    await c.page('/cases');
    await c.post(`/cases/${no}/claim`);
    expect(location(await c.post(`/cases/${no}/close`, { outcome: 'bogus' }))).toBe(`/cases/${no}?error=invalid`);
    expect(location(await c.post(`/cases/${no}/reply`, { text: '   ' }))).toBe(`/cases/${no}?error=invalid`);
    expect((await k.referrals.summary(no))?.status).toBe('claimed');
  });
});
