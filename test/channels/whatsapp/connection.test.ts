// The connection's life: pairing (QR or code), outages told to staff once, reconnection with exponential backoff,
// messages of the outage delivered on reconnect handled once, and a stop that closes the browser for good.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waMessage } from '../../support/fake-whatsapp-client.ts';
import { advanceUntil, createHarness, type Harness, waitFor } from './harness.ts';

const AMINATA = '22370000000@c.us';

let h: Harness;

afterEach(async () => {
  await h?.close();
});

describe('WhatsApp connection', () => {
  it('shows the QR code to the operator and the staff console, and tells staff once that pairing is needed', async () => {
    h = await createHarness();
    expect(h.channel.getState().state).toBe('disconnected');
    await h.channel.start();
    const client = h.fakes.latest();
    expect(h.channel.getState().state).toBe('starting');

    client.showQr('2@first');
    client.showQr('2@second');
    expect(h.channel.getState()).toMatchObject({ state: 'qr', qr: '2@second' });
    expect(h.qrs).toEqual(['2@first', '2@second']);
    expect(h.notices.map((n) => n.kind)).toEqual(['pairing_needed']);
    expect(h.logLines.join('')).not.toContain('2@first');

    client.becomeReady();
    expect(h.channel.getState()).toEqual({ state: 'ready', since: expect.any(Number) });
  });

  it('pairs by code on the phone when a pairing number is configured', async () => {
    h = await createHarness({ pairingPhone: '+223 70 00 00 09' });
    await h.channel.start();
    const client = h.fakes.latest();
    expect(client.options.pairWithPhoneNumber).toEqual({ phoneNumber: '22370000009', showNotification: true });

    // whatsapp-web.js requests the code itself once the page is ready and emits it as `code`.
    await client.requestPairingCode('22370000009');
    expect(h.channel.getState()).toMatchObject({ state: 'qr', pairingCode: 'KFNA4321' });
    expect(h.codes).toEqual(['KFNA4321']);
    expect(h.notices.map((n) => n.kind)).toEqual(['pairing_needed']);
    expect(h.logLines.join('')).not.toMatch(/22370000009|KFNA4321/);
  });

  it('after a disconnect, tells staff, reconnects with a new client and handles the messages of the outage once', async () => {
    h = await createHarness();
    const first = await h.startReady();
    const early = waMessage(AMINATA, { body: 'Bonjour' });
    first.receive(early);
    await waitFor(() => first.sent.length === 1, 'the welcome');

    await first.changeState('CONFLICT');
    expect(h.channel.getState()).toMatchObject({ state: 'reconnecting', reason: 'CONFLICT', attempt: 1 });
    expect(h.channel.getState().nextTryAt).toBeGreaterThan(Date.now() - 1000);
    // A single conflict fixes itself: nobody needs to be disturbed.
    expect(h.notices).toEqual([]);
    await waitFor(() => h.fakes.clients.length === 2, 'a new client');
    expect(first.destroyCalls).toBeGreaterThan(0);

    const second = h.fakes.latest();
    await second.initialized;
    second.becomeReady();
    expect(h.notices).toEqual([]);
    // On reconnect WhatsApp delivers what was written meanwhile, and may hand over an already handled message again.
    second.receive(early);
    second.receive(waMessage(AMINATA, { body: '2' }));
    await waitFor(() => second.sent.length === 1, 'the answer to the outage message');
    await h.channel.stop();

    expect(h.runtime.inputsFrom(AMINATA)).toEqual([
      { kind: 'text', text: 'Bonjour' },
      { kind: 'text', text: '2' },
    ]);
    expect(second.textsTo(AMINATA)[0]).toMatch(/^\*Contacts\*/);
  });

  it('a late event from the replaced client changes nothing', async () => {
    h = await createHarness();
    const first = await h.startReady();
    await first.changeState('UNLAUNCHED');
    await waitFor(() => h.fakes.clients.length === 2, 'a new client');
    await h.fakes.latest().initialized;
    h.fakes.latest().becomeReady();
    first.emit('disconnected', 'UNPAIRED');
    first.showQr('2@stale');
    expect(h.channel.getState().state).toBe('ready');
    expect(h.fakes.clients).toHaveLength(2);
  });

  it('retries a failing start with growing pauses, logging the error once and bothering nobody for a short outage', async () => {
    const unreachable = new Error('net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/');
    const failures = 6;
    h = await createHarness({ reconnect: { initialDelayMs: 1000, maxDelayMs: 8000 } }, (client, index) => {
      if (index < failures) client.failInitialize = unreachable;
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const createdAt: number[] = [];
    await h.channel.start();
    createdAt.push(Date.now());
    for (let i = 1; i <= failures; i++) {
      await advanceUntil(h.redis, () => h.fakes.clients.length > i, `attempt ${i + 1}`, 100, 60_000);
      createdAt.push(Date.now());
    }
    const pauses = createdAt.slice(1).map((t, i) => t - createdAt[i]!);
    expect(pauses.map((p) => Math.round(p / 1000))).toEqual([1, 2, 4, 8, 8, 8]);
    expect(h.channel.getState()).toMatchObject({ state: 'starting', attempt: failures });
    // Each failed start closed its browser.
    expect(h.fakes.clients.slice(0, failures).every((c) => c.destroyCalls > 0)).toBe(true);
    // Half a minute of retries is not worth a message to staff (see the "down" notice test).
    expect(h.notices).toEqual([]);
    expect(h.logLines.filter((l) => l.includes('"level":50'))).toHaveLength(1);

    await advanceUntil(h.redis, () => h.fakes.latest().pupBrowser !== null, 'the last start', 10, 1000);
    h.fakes.latest().becomeReady();
    expect(h.channel.getState().state).toBe('ready');
    // A later outage starts the pauses from the beginning again.
    const before = h.fakes.clients.length;
    const t0 = Date.now();
    await h.fakes.latest().changeState('UNLAUNCHED');
    await advanceUntil(h.redis, () => h.fakes.clients.length > before, 'reconnect after the new outage', 100, 60_000);
    expect(Math.round((Date.now() - t0) / 1000)).toBe(1);
  });

  it('stop closes the browser, cancels a pending reconnect and ignores later events', async () => {
    h = await createHarness({ reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    const client = await h.startReady();
    await client.changeState('UNLAUNCHED');
    await h.channel.stop();
    expect(client.destroyCalls).toBeGreaterThan(0);
    expect(h.channel.getState()).toMatchObject({ state: 'disconnected', reason: 'stopped' });
    client.becomeReady();
    expect(h.channel.getState().state).toBe('disconnected');
    expect(h.fakes.clients).toHaveLength(1);
  });
});
