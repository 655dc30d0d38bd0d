// Ban-aware pace, on a fake clock: at least a second between two messages to one chat, "typing…" before answers
// of several messages, and a global cap per minute across all chats.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waMessage } from '../../support/fake-whatsapp-client.ts';
import { advanceUntil, createHarness, type Harness } from './harness.ts';

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
    // The long answer has several parts: "typing…" was shown before each of them, never before the one-part welcome.
    const answerParts = client.sent.slice(1);
    expect(client.typing.length).toBe(answerParts.length);
    for (let i = 0; i < answerParts.length; i++) {
      expect(client.typing[i]!.at).toBeLessThanOrEqual(answerParts[i]!.at);
      if (i > 0) expect(client.typing[i]!.at).toBeGreaterThanOrEqual(answerParts[i - 1]!.at);
    }
  });

  it('answers different people without making one wait for the other’s pace', async () => {
    h = await createHarness({ minGapMs: 1000, maxPerMinute: 100 });
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
