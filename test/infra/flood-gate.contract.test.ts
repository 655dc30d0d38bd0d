// The flood gate contract: the Redis gate (shared by all processes) and the in-memory one (used by each process
// while Redis is down) count the same way: N messages a window, one notice, then silence; per person; erasure
// forgets the count; a new window starts afresh.
import { afterEach, describe, expect, it } from 'vitest';
import { type FloodGate, MemoryFloodGate, RedisFloodGate } from '../../src/infra/flood-gate.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';

const limit = { maxPerWindow: 3, windowMs: 60_000 };
const awa: ChatRef = { channel: 'whatsapp', id: '22376000000@c.us' };
const binta: ChatRef = { channel: 'telegram', id: '777' };

type Gate = { gate: FloodGate; endWindow(chat: ChatRef): Promise<void> };

const opened: TestRedis[] = [];
afterEach(async () => {
  for (const r of opened.splice(0)) await r.cleanup();
});

const backends: { name: string; open(): Promise<Gate> }[] = [
  {
    name: 'memory',
    async open() {
      let now = 1_000;
      const gate = new MemoryFloodGate(limit, () => now);
      return {
        gate,
        endWindow: async () => {
          now += limit.windowMs;
        },
      };
    },
  },
  {
    name: 'redis',
    async open() {
      const r = await testRedis();
      opened.push(r);
      const gate = new RedisFloodGate(r.redis, r.keys, limit, () => true);
      return {
        gate,
        endWindow: async (chat) => {
          // The window is the count key's lifetime: make it end now.
          await r.redis.del(r.keys.key('flood', r.keys.person(chat)));
        },
      };
    },
  },
];

const verdicts = async (gate: FloodGate, chat: ChatRef, n: number) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await gate.check(chat));
  return out;
};

describe.each(backends)('FloodGate contract: $name', (backend) => {
  it('lets the limit through, warns once, then drops the rest of the window', async () => {
    const { gate } = await backend.open();
    expect(await verdicts(gate, awa, 6)).toEqual(['ok', 'ok', 'ok', 'warn', 'drop', 'drop']);
  });

  it('counts each person separately', async () => {
    const { gate } = await backend.open();
    await verdicts(gate, awa, 5);
    expect(await verdicts(gate, binta, 1)).toEqual(['ok']);
  });

  it('starts afresh in a new window and after erasure', async () => {
    const { gate, endWindow } = await backend.open();
    await verdicts(gate, awa, 5);
    await endWindow(awa);
    expect(await verdicts(gate, awa, 1)).toEqual(['ok']);
    await verdicts(gate, binta, 5);
    await gate.eraseFor(binta);
    expect(await verdicts(gate, binta, 1)).toEqual(['ok']);
  });
});

describe('RedisFloodGate', () => {
  it('names the count by the person’s pseudonym and counts in memory while Redis is unreachable', async () => {
    const r = await testRedis();
    opened.push(r);
    let up = true;
    const gate = new RedisFloodGate(r.redis, r.keys, limit, () => up);
    await gate.check(awa);
    const keys = await r.redis.keys(`${r.keys.root}*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('22376');
    up = false;
    expect(await verdicts(gate, awa, 4)).toEqual(['ok', 'ok', 'ok', 'warn']);
    expect(await r.redis.get(keys[0]!)).toBe('1');
  });
});
