// Content status, flow diagrams and the channels page, over HTTP.
import { afterEach, describe, expect, test } from 'vitest';
import { Client, type Console, createConsole } from './support/console.ts';

let k: Console;
afterEach(async () => {
  await k.close();
});

async function loggedIn(extra: Parameters<typeof createConsole>[0] = {}, role: 'staff' | 'admin' = 'staff') {
  k = await createConsole(extra);
  const awa = await k.account('Awa', 'ame', role);
  const c = new Client(k.app);
  await c.login(awa.id);
  return c;
}

describe('content status', () => {
  test('lists every FAQ with its review age and per-language status, unverified contacts, problems and flows', async () => {
    const c = await loggedIn({
      problems: [
        {
          file: 'content/contacts/ame.yaml',
          line: 3,
          col: 5,
          path: 'verified',
          message: 'not verified',
          severity: 'warning',
        },
      ],
    });
    const { status, html } = await c.page('/content');
    expect(status).toBe(200);
    for (const id of k.bundle.content.faqs.keys()) expect(html).toContain(`<strong>${id}</strong>`);
    expect(html).toMatch(/days ago/);
    expect(html).toContain('machine draft');
    expect(html).toContain('Bamanankan');
    expect(html).toContain('AME — Association Malienne des Expulsés');
    expect(html).toContain('organisation not verified');
    expect(html).toContain('content/contacts/ame.yaml:3:5 verified: warning: not verified');
    for (const flow of Object.keys(k.bundle.flows.flows)) expect(html).toContain(`href="/content/flows/${flow}"`);
    expect(Buffer.byteLength(html)).toBeLessThan(30_000);
  });

  test('a flow page draws the flow: nodes with their routes, and the Mermaid source', async () => {
    const c = await loggedIn();
    const { status, html } = await c.page('/content/flows/main');
    expect(status).toBe(200);
    expect(html).toContain('<pre class="mermaid" tabindex="0">flowchart TD');
    expect(html).toContain('id="node-menu"');
    expect(html).toContain('href="/content/flows/referral#node-start"');
    expect(html).not.toContain('<script');
    expect((await c.get('/content/flows/nope')).status).toBe(404);
  });
});

describe('channels', () => {
  test('staff get 403 and no pairing QR code, and no link to the page; administrators see it in the menu', async () => {
    const qrState = () => ({ state: 'qr' as const, qr: '2@abcdefghijklmnopqrstuvwxyz0123456789', since: Date.now() });
    const c = await loggedIn({ whatsappState: qrState });
    const res = await c.get('/channels');
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).not.toContain('<svg');
    expect(body).not.toContain('2@abcdefghijklmnopqrstuvwxyz');
    expect((await c.page('/cases')).html).not.toContain('href="/channels"');

    const admin = await k.account('Chef', 'ame', 'admin');
    const a = new Client(k.app, undefined, '10.0.0.2');
    await a.login(admin.id);
    const page = await a.page('/channels');
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="wa-qr"');
    expect((await a.page('/cases')).html).toContain('href="/channels"');
  });

  test('while WhatsApp waits for pairing, the QR code is drawn inline as SVG and the page refreshes', async () => {
    const c = await loggedIn(
      {
        whatsappState: () => ({
          state: 'qr',
          qr: '2@abcdefghijklmnopqrstuvwxyz0123456789',
          since: Date.now() - 60_000,
        }),
      },
      'admin',
    );
    const { html } = await c.page('/channels');
    expect(html).toContain('waiting for pairing');
    expect(html).toMatch(/<div class="card" id="wa-qr"[^>]*><svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expect(html).toContain('Telegram is not enabled');
  });

  test('a connected WhatsApp and a Telegram webhook show their state, without refresh', async () => {
    const c = await loggedIn(
      {
        whatsappState: () => ({ state: 'ready', since: Date.now() - 3 * 3600_000 }),
        telegramStatus: async () => ({
          mode: 'webhook',
          webhookUrl: 'https://bot.example.org/telegram/webhook',
          pendingUpdateCount: 2,
          lastErrorMessage: 'Connection <timed out>',
        }),
      },
      'admin',
    );
    const { html } = await c.page('/channels');
    expect(html).toContain('id="wa-state">connected');
    expect(html).not.toContain('<svg');
    expect(html).toContain('https://bot.example.org/telegram/webhook');
    expect(html).toContain('Connection &lt;timed out&gt;');
    expect(html).not.toContain('http-equiv="refresh"');
  });

  test('WhatsApp off: the page says how to turn it on', async () => {
    const c = await loggedIn({}, 'admin');
    expect((await c.page('/channels')).html).toContain('WHATSAPP_ENABLED=true');
  });
});

describe('language', () => {
  test('the console speaks French by default and English on request', async () => {
    const c = await loggedIn();
    const fr = await k.app.request('http://127.0.0.1/login');
    expect(await fr.text()).toContain('Mot de passe');
    const en = await new Client(k.app).page('/login');
    expect(en.html).toContain('Password');
    const switched = await c.get('/lang/fr?back=%2Fcases');
    expect(switched.headers.get('location')).toBe('/cases');
    expect((await c.page('/cases')).html).toContain('En attente');
  });
});
