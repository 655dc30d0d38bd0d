// The partner walls over HTTP, for every action: a case and its personal data belong to the partner it was routed
// to. Staff and administrators of that partner act on it (a colleague's claimed case: the administrator only);
// for staff and administrators of another partner it does not exist — the same 404 as a missing case.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Client, type Console, createConsole, errorOf, location } from './support/console.ts';

type Who = 'own staff' | 'own admin' | 'other staff' | 'other admin';
type Action = 'read' | 'claim' | 'release' | 'reply' | 'transfer' | 'close';

let k: Console;
const clients = new Map<Who | 'holder', { c: Client; id: string }>();
let missingBody = '';

beforeAll(async () => {
  k = await createConsole();
  const accounts: [Who | 'holder', string, 'staff' | 'admin'][] = [
    ['holder', 'ame', 'staff'],
    ['own staff', 'ame', 'staff'],
    ['own admin', 'ame', 'admin'],
    ['other staff', 'aracem', 'staff'],
    ['other admin', 'aracem', 'admin'],
  ];
  let n = 0;
  for (const [who, partner, role] of accounts) {
    const account = await k.account(`Wall ${who}`, partner, role);
    const c = new Client(k.app, undefined, `10.9.${n++}.1`);
    expect((await c.login(account.id)).status).toBe(303);
    await c.page('/cases');
    clients.set(who, { c, id: `web:${account.id}` });
  }
  missingBody = errorOf(await (await clients.get('own staff')!.c.get('/cases/K-ZZZZ')).text());
  expect(missingBody).toContain('This case does not exist.');
});
afterAll(async () => {
  await k.close();
});

/** What each one may do: a claimed case is worked by its holder or the partner's administrator. */
const ALLOWED: Record<Action, Who[]> = {
  read: ['own staff', 'own admin'],
  claim: ['own staff', 'own admin'],
  release: ['own admin'],
  reply: ['own admin'],
  transfer: ['own admin'],
  close: ['own admin'],
};

const FORM: Record<Exclude<Action, 'read'>, Record<string, string>> = {
  claim: {},
  release: {},
  reply: { text: 'Bonjour, ici votre association.' },
  transfer: { to: 'aracem' },
  close: { outcome: 'helped' },
};

const WHO: Who[] = ['own staff', 'own admin', 'other staff', 'other admin'];
const ACTIONS: Action[] = ['read', 'claim', 'release', 'reply', 'transfer', 'close'];

describe.each(ACTIONS)('%s', (action) => {
  test.each(WHO)('by %s', async (who) => {
    const { no, chat } = await k.openCase({ nickname: 'Mariam', phone: '+223 76 00 00 01', description: 'Expulsée' });
    // Every action but read and claim is tried on a case a colleague holds.
    if (action !== 'read' && action !== 'claim') {
      const holder = clients.get('holder')!;
      expect(location(await holder.c.post(`/cases/${no}/claim`))).toBe(`/cases/${no}?done=claimed`);
    }
    const before = await k.referrals.summary(no);
    const sentBefore = k.outbox.textsTo(chat).length;
    const { c } = clients.get(who)!;
    const allowed = ALLOWED[action].includes(who);
    const own = who.startsWith('own');

    if (action === 'read') {
      const page = await c.page(`/cases/${no}`);
      if (allowed) {
        expect(page.status).toBe(200);
        expect(page.html).toContain('+223 76 00 00 01');
      } else {
        expect(page.status).toBe(404);
        expect(errorOf(page.html)).toBe(missingBody);
      }
      return;
    }

    const res = await c.post(`/cases/${no}/${action}`, FORM[action]);
    const after = await k.referrals.summary(no);
    if (allowed) {
      expect(res.status).toBe(303);
      expect(location(res)).toMatch(new RegExp(`^/cases/${no}\\?done=`));
    } else if (own) {
      expect(res.status).toBe(403);
      expect(after).toEqual(before);
    } else {
      expect(res.status).toBe(404);
      expect(errorOf(await res.text())).toBe(missingBody);
      expect(after).toEqual(before);
      // Nothing reached the person from another partner.
      expect(k.outbox.textsTo(chat)).toHaveLength(sentBefore);
    }
    // Whoever asked, the case never leaves its partner without the person's consent.
    expect(after?.partner).toBe('ame');
    if (allowed && action === 'transfer') expect(after?.proposedTo).toBe('aracem');
  });
});

test('a case number that does not exist and a case of another partner give the same answer', async () => {
  const { no } = await k.openCase();
  const other = clients.get('other admin')!.c;
  const a = await other.get(`/cases/${no}`);
  const b = await other.get('/cases/K-ZZZZ');
  expect([a.status, errorOf(await a.text())]).toEqual([b.status, errorOf(await b.text())]);
});
