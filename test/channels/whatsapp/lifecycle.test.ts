// The connection on a hand-moved clock: a slow session restore is not killed, a dead browser is noticed and
// rebuilt, bans and an outdated library stop the retries and wait for an administrator, a logout from the phone
// asks for a new pairing, and staff hear only of what needs a person.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from './harness.ts';
import { ManualClock, settle } from './manual-clock.ts';

let h: Harness;
let clock: ManualClock;

afterEach(async () => {
  await h?.close();
});

async function startWithClock(
  overrides: Parameters<typeof createHarness>[0] = {},
  setupClient?: Parameters<typeof createHarness>[1],
) {
  clock = new ManualClock();
  h = await createHarness(
    { clock, reconnect: { initialDelayMs: 2000, maxDelayMs: 60_000 }, ...overrides },
    setupClient,
  );
}

async function readyClient() {
  const client = await h.startReady();
  expect(h.channel.getState().state).toBe('ready');
  return client;
}

describe('starting', () => {
  it('a session restore that keeps making progress is not abandoned at the start timeout', async () => {
    await startWithClock({ startTimeoutMs: 120_000 });
    await h.channel.start();
    const client = h.fakes.latest();
    await client.initialized;
    // Restoring a big session on a slow host: authenticated, then the loading screen for minutes.
    await clock.advance(100_000);
    client.authenticate();
    for (const percent of [10, 40, 70, 95]) {
      await clock.advance(100_000);
      client.loading(percent);
    }
    await clock.advance(100_000);
    client.becomeReady();
    expect(h.channel.getState().state).toBe('ready');
    expect(h.fakes.clients).toHaveLength(1);
  });

  it('the same on the process clock (vitest fake timers): 250 s of restore progress beat a 120 s start timer', async () => {
    h = await createHarness({ startTimeoutMs: 120_000 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    await h.channel.start();
    const client = h.fakes.latest();
    await client.initialized;
    await vi.advanceTimersByTimeAsync(100_000);
    client.authenticate();
    await vi.advanceTimersByTimeAsync(100_000);
    client.loading(50);
    await vi.advanceTimersByTimeAsync(50_000);
    client.becomeReady();
    expect(h.channel.getState().state).toBe('ready');
    expect(h.fakes.clients).toHaveLength(1);
  });

  it('a start that shows nothing at all is abandoned at the timeout and retried', async () => {
    await startWithClock({ startTimeoutMs: 120_000 });
    await h.channel.start();
    await h.fakes.latest().initialized;
    await clock.advance(119_000);
    expect(h.channel.getState().state).toBe('starting');
    await clock.advance(2_000);
    expect(h.channel.getState()).toMatchObject({ state: 'reconnecting', attempt: 1, reason: /within 120 s/ });
    expect(h.fakes.latest().destroyCalls).toBe(1);
  });
});

describe('a dead browser', () => {
  it('Chromium dying is noticed at once: reconnecting with reason, attempt and next try, then a new client', async () => {
    await startWithClock();
    const first = await readyClient();
    first.pupBrowser!.crash();
    const state = h.channel.getState();
    expect(state).toMatchObject({ state: 'reconnecting', reason: 'Chromium closed unexpectedly', attempt: 1 });
    expect(state.nextTryAt).toBe(clock.now() + 2000);
    await clock.advance(2000);
    expect(h.fakes.clients).toHaveLength(2);
    await h.fakes.latest().initialized;
    h.fakes.latest().becomeReady();
    expect(h.channel.getState().state).toBe('ready');
  });

  it('a page that stopped answering is found by the periodic probe and the client rebuilt', async () => {
    await startWithClock({ probeIntervalMs: 60_000 });
    const first = await readyClient();
    // The page crashed but the browser process lives on: no event, only calls into the page fail.
    first.pupBrowser!.connected = false;
    await clock.advance(60_000);
    expect(h.channel.getState()).toMatchObject({ state: 'reconnecting', reason: /stopped answering.*Session closed/ });
    await clock.advance(2000);
    expect(h.fakes.clients).toHaveLength(2);
  });

  it('WhatsApp saying TIMEOUT (phone offline) is degraded, CONNECTED is ready again', async () => {
    await startWithClock();
    const client = await readyClient();
    await client.changeState('TIMEOUT');
    expect(h.channel.getState()).toMatchObject({ state: 'degraded', reason: 'TIMEOUT' });
    await client.changeState('CONNECTED');
    expect(h.channel.getState().state).toBe('ready');
    expect(h.fakes.clients).toHaveLength(1);
  });

  it('staff are told when WhatsApp stays down more than the notice delay, and when it is back', async () => {
    let failing = true;
    // After the crash, Chromium cannot start any more, until it can.
    await startWithClock({ downNoticeMs: 10 * 60_000 }, (client, index) => {
      if (index > 0 && failing) client.failInitialize = new Error('Failed to launch the browser process!');
    });
    const first = await readyClient();
    first.pupBrowser!.crash();
    await clock.advance(9 * 60_000);
    expect(h.fakes.clients.length).toBeGreaterThan(3);
    expect(h.notices).toEqual([]);
    await clock.advance(61_000);
    expect(h.notices.map((n) => n.kind)).toEqual(['down']);
    expect(h.notices[0]!.text).toMatch(/down for 10 minutes/);

    failing = false;
    await clock.advanceUntil(() => h.fakes.latest().pupBrowser !== null, 'a start that works');
    h.fakes.latest().becomeReady();
    expect(h.notices.map((n) => n.kind)).toEqual(['down', 'reconnected']);
  });
});

describe('states that need a person', () => {
  it('TOS_BLOCK stops reconnecting, tells staff and waits for an administrator', async () => {
    await startWithClock();
    const client = await readyClient();
    await client.changeState('TOS_BLOCK');
    expect(h.channel.getState()).toMatchObject({ state: 'blocked', reason: 'TOS_BLOCK' });
    expect(h.channel.getState().attention).toMatch(/blocked this number/);
    expect(h.notices.map((n) => n.kind)).toEqual(['blocked']);
    await clock.advance(60 * 60_000);
    expect(h.fakes.clients).toHaveLength(1);

    await h.channel.retry();
    expect(h.fakes.clients).toHaveLength(2);
    expect(h.channel.getState().state).toBe('starting');
  });

  it('DEPRECATED_VERSION says to update whatsapp-web.js instead of calling it a ban', async () => {
    await startWithClock();
    const client = await readyClient();
    await client.changeState('DEPRECATED_VERSION');
    expect(h.channel.getState().state).toBe('blocked');
    expect(h.notices.map((n) => n.kind)).toEqual(['update_needed']);
    expect(h.notices[0]!.text).toMatch(/update whatsapp-web\.js/);
    await clock.advance(60 * 60_000);
    expect(h.fakes.clients).toHaveLength(1);
  });

  it('one CONFLICT is retried; the third within half an hour stops the retries', async () => {
    await startWithClock();
    let client = await readyClient();
    for (let i = 1; i <= 2; i++) {
      await client.changeState('CONFLICT');
      expect(h.channel.getState().state).toBe('reconnecting');
      await clock.advanceUntil(() => h.fakes.clients.length === i + 1, `client ${i + 1}`);
      client = h.fakes.latest();
      await client.initialized;
      client.becomeReady();
    }
    expect(h.notices).toEqual([]);
    await client.changeState('CONFLICT');
    expect(h.channel.getState()).toMatchObject({ state: 'blocked', reason: 'CONFLICT' });
    expect(h.notices.map((n) => n.kind)).toEqual(['blocked']);
    expect(h.notices[0]!.text).toMatch(/Another WhatsApp Web session/);
  });

  it('a logout from the phone tells staff the pairing was lost, and the new QR code is shown', async () => {
    await startWithClock();
    const client = await readyClient();
    await client.logoutFromPhone();
    expect(h.notices.map((n) => n.kind)).toEqual(['pairing_lost']);
    await clock.advanceUntil(() => h.fakes.clients.length === 2, 'a new client');
    const next = h.fakes.latest();
    await next.initialized;
    next.showQr('2@again');
    expect(h.channel.getState()).toMatchObject({ state: 'qr', qr: '2@again' });
    // Already told: no second message for the QR code that follows.
    expect(h.notices.map((n) => n.kind)).toEqual(['pairing_lost']);
    next.becomeReady();
    expect(h.notices.map((n) => n.kind)).toEqual(['pairing_lost', 'reconnected']);
    await settle();
  });
});
