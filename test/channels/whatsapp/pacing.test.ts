// Ban-aware pace, on a fake clock: at least a second between two messages to one chat, "typing…" before answers
// of several messages, and a global cap per minute across all chats.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waMessage } from '../../support/fake-whatsapp-client.ts';
import { advanceUntil, createHarness, type Harness } from './harness.ts';
import { ManualClock } from './manual-clock.ts';

const AMINATA = '22370000000@c.us';
const people = ['22370000001@c.us', '22370000002@c.us', '22370000003@c.us', '22370000004@c.us'];

let h: Harness;

afterEach(async () => {
  await h?.close();
});

function fakeClock(): void {
  // setImmediate stays real so Redis replies keep flowing while the clock is frozen.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

describe('pacing of outgoing WhatsApp messages', () => {
  it('leaves at least a second between messages to one chat and shows "typing…" before each part', async () => {
    h = await createHarness({ minGapMs: 1000, maxPerMinute: 100 });
    const client = await h.startReady();
    fakeClock();

    client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
    client.receive(waMessage(AMINATA, { body: 'mes droits' }));
    await advanceUntil(h.redis, () => client.sent.length >= 3, 'welcome and a long answer in several parts');
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.sent.length).toBe(3);

    const times = client.sent.map((s) => s.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    // "typing…" was shown before every message, the one-part welcome included, and after the previous one.
    const parts = client.sent;
    expect(client.typing.length).toBe(parts.length);
    for (let i = 0; i < parts.length; i++) {
      expect(client.typing[i]!.at).toBeLessThanOrEqual(parts[i]!.at);
      if (i > 0) expect(client.typing[i]!.at).toBeGreaterThanOrEqual(parts[i - 1]!.at);
    }
  });

  it('shows "typing…" for a pause that grows with the message, a little different each time', async () => {
    const clock = new ManualClock();
    const randoms = [0, 1];
    h = await createHarness({
      clock,
      typing: { baseMs: 500, perCharMs: 20, maxMs: 4000, jitter: 0.1 },
      random: () => randoms.shift() ?? 0.5,
    });
    const client = await h.startReady();
    client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
    await clock.advanceUntil(() => client.sent.length === 1, 'the welcome', 100);
    const welcome = client.textsTo(AMINATA)[0]!;
    // 500 ms + 20 ms per character, capped at 4 s, minus 10 % (random 0).
    const expected = Math.round(Math.min(4000, 500 + 20 * welcome.length) * 0.9);
    expect(client.sent[0]!.at - client.typing[0]!.at).toBeGreaterThanOrEqual(expected);
    expect(client.sent[0]!.at - client.typing[0]!.at).toBeLessThan(expected + 100);

    client.receive(waMessage(AMINATA, { body: '9' }));
    await clock.advanceUntil(() => client.sent.length === 2, 'the short answer', 100);
    const short = client.textsTo(AMINATA)[1]!;
    expect(short.length).toBeLessThan(welcome.length);
    // A shorter text, random 1 (plus 10 %): its own pause, never the cap.
    const expectedShort = Math.round(Math.min(4000, 500 + 20 * short.length) * 1.1);
    expect(client.sent[1]!.at - client.typing[1]!.at).toBeGreaterThanOrEqual(expectedShort);
  });

  it('spaces the welcomes of twenty people who write at once', async () => {
    const clock = new ManualClock();
    h = await createHarness({ clock, globalGapMs: 300, maxPerMinute: 100 });
    const client = await h.startReady();
    const twenty = Array.from({ length: 20 }, (_, i) => `2237100${String(i).padStart(4, '0')}@c.us`);
    for (const person of twenty) client.receive(waMessage(person, { body: 'Bonjour' }));
    await clock.advanceUntil(() => client.sent.length === 20, 'twenty welcomes', 100);
    const times = client.sent.map((s) => s.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(300);
  });

  it('answers different people without making one wait for the other’s pace', async () => {
    h = await createHarness({ minGapMs: 1000, maxPerMinute: 100, globalGapMs: 0 });
    const client = await h.startReady();
    fakeClock();
    const start = Date.now();
    for (const person of people) client.receive(waMessage(person, { body: 'Bonjour' }));
    await advanceUntil(h.redis, () => client.sent.length === people.length, 'a welcome for each');
    expect(Math.max(...client.sent.map((s) => s.at)) - start).toBeLessThan(1000);
  });

  it('holds the global cap: the message over the limit waits until the minute has passed', async () => {
    h = await createHarness({ minGapMs: 1000, maxPerMinute: 3 });
    const client = await h.startReady();
    fakeClock();
    const start = Date.now();
    for (const person of people) client.receive(waMessage(person, { body: 'Bonjour' }));
    await advanceUntil(h.redis, () => client.sent.length === 3, 'three welcomes');
    await vi.advanceTimersByTimeAsync(30_000);
    await h.redis.ping();
    expect(client.sent.length).toBe(3);

    await advanceUntil(h.redis, () => client.sent.length === 4, 'the fourth welcome');
    const times = client.sent.map((s) => s.at).sort((a, b) => a - b);
    expect(times[3]! - times[0]!).toBeGreaterThanOrEqual(60_000);
    expect(times[2]! - start).toBeLessThan(1000);
    expect(new Set(client.sent.map((s) => s.chatId))).toEqual(new Set(people));
  });
});
