// What the staff console shows of the WhatsApp connection: reconnection with its attempt and next try on the
// channels page, and a banner on every page when a person must act.
import { afterEach, describe, expect, test } from 'vitest';
import { Client, type Console, createConsole } from '../../staff/support/console.ts';

let k: Console;
afterEach(async () => {
  await k.close();
});

async function loggedIn(whatsappState: Parameters<typeof createConsole>[0], role: 'staff' | 'admin') {
  k = await createConsole(whatsappState);
  const account = await k.account('Awa', 'ame', role);
  const c = new Client(k.app);
  await c.login(account.id);
  return c;
}

describe('WhatsApp in the staff console', () => {
  test('the channels page shows a reconnection: reason, attempt and next try, and keeps itself fresh', async () => {
    const nextTryAt = Date.UTC(2026, 0, 5, 9, 30);
    const c = await loggedIn(
      {
        whatsappState: () => ({
          state: 'reconnecting',
          reason: 'Chromium closed unexpectedly',
          attempt: 3,
          nextTryAt,
          since: Date.now() - 60_000,
        }),
      },
      'admin',
    );
    const { html } = await c.page('/channels');
    expect(html).toContain('reconnecting');
    expect(html).toContain('(Chromium closed unexpectedly)');
    expect(html).toMatch(/id="wa-retry">Attempt 3 · next try 2026-01-05 09:30 UTC/);
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expect(html).not.toContain('id="channel-banner"');
  });

  test('a blocked number is a banner on every page, for every signed-in staff member', async () => {
    const attention = 'WhatsApp blocked this number (TOS_BLOCK). Check the phone.';
    const c = await loggedIn(
      { whatsappState: () => ({ state: 'blocked', reason: 'TOS_BLOCK', attention, since: Date.now() }) },
      'staff',
    );
    const { html } = await c.page('/cases');
    expect(html).toMatch(
      /<p class="flash error" role="alert" id="channel-banner">WhatsApp: WhatsApp blocked this number/,
    );
    // Not before signing in.
    const anonymous = await new Client(k.app, undefined, '10.0.0.9').page('/login');
    expect(anonymous.html).not.toContain('channel-banner');
  });

  test('an administrator restarts a blocked WhatsApp with "Try again now"; other staff cannot', async () => {
    let retries = 0;
    const extra = {
      whatsappState: () => ({ state: 'blocked', reason: 'TOS_BLOCK', attention: 'blocked', since: Date.now() }),
      whatsappRetry: async () => {
        retries++;
      },
    };
    const admin = await loggedIn(extra, 'admin');
    const { html } = await admin.page('/channels');
    expect(html).toContain('id="wa-retry-now"');
    const res = await admin.post('/channels/whatsapp/retry');
    expect(res.status).toBe(303);
    expect(retries).toBe(1);

    const staff = await k.account('Bakary', 'ame', 'staff');
    const other = new Client(k.app, undefined, '10.0.0.3');
    await other.login(staff.id);
    await other.page('/cases');
    expect((await other.post('/channels/whatsapp/retry')).status).toBe(403);
    expect(retries).toBe(1);
  });
});
