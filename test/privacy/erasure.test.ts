// "EFFACER" erases everything about a person: after a WhatsApp conversation with a referral and a Telegram one with
// alert subscriptions, no key name or value in Redis (sessions, cases, queues, flood counts...) holds their chat
// id, phone number or words.
import { afterEach, describe, expect, it } from 'vitest';
import { RedisSubscriptions } from '../../src/alerts/subscriptions.ts';
import { RedisFloodGate } from '../../src/infra/flood-gate.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { RedisChatLock } from '../../src/infra/redis-chat-lock.ts';
import { RedisSessionStore } from '../../src/infra/redis-session-store.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import { dumpKeys, type ReferralFixture, referralFixture } from '../referrals/support/referrals.ts';
import { shippedBundle } from '../support/app.ts';

let fixture: ReferralFixture | null = null;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = null;
});

async function say(runtime: Runtime, chat: ChatRef, lines: string[]): Promise<string> {
  let last = '';
  for (const line of lines) {
    const input = line === '/start' ? { kind: 'start' as const } : { kind: 'text' as const, text: line };
    last = (await runtime.handle(chat, input)).flatMap((m) => [m.title ?? '', ...m.paragraphs]).join('\n');
  }
  return last;
}

describe('erasure', () => {
  it('leaves nothing about the person anywhere in Redis', async () => {
    fixture = await referralFixture();
    const { redis, keys, cipher, service } = fixture;
    const bundle = await shippedBundle();
    const subscriptions = new RedisSubscriptions(redis, keys);
    const runtime = createRuntime({
      flows: bundle.flows,
      catalog: bundle.catalog,
      presenter: bundle.presenter,
      store: new RedisSessionStore(redis, keys, cipher, 3_600_000),
      lock: new RedisChatLock(redis, keys),
      clock: { now: () => Date.now() },
      logger: silentLogger(),
      referrals: service,
      subscriptions,
      flood: new RedisFloodGate(redis, keys),
    });
    const whatsapp: ChatRef = { channel: 'whatsapp', id: '22376543210@c.us' };
    const telegram: ChatRef = { channel: 'telegram', id: '987654321' };
    const description = 'Kadiatou dort a la gare routiere de Sogoniko';

    const confirmation = await say(runtime, whatsapp, [
      '/start',
      '1',
      '4',
      '2',
      '1',
      'oui',
      description,
      '2',
      '+223 76 54 32 10',
      'Kadi',
      '1',
    ]);
    expect(confirmation).toMatch(/K-[0-9A-Z]{4}/);
    await say(runtime, telegram, ['/start', '1', '5', '1', '1', '1', 'oui']);
    const before = [...(await dumpKeys(redis, keys.root)).values()].flat().join('\n');
    // Alerts name the subscriber by pseudonym; the chat they send to is kept only sealed.
    expect(before).toContain(keys.person(telegram));
    expect(before).not.toContain('987654321');

    expect(await say(runtime, whatsapp, ['EFFACER', '1'])).toContain('tout ce qui te concerne est effacé');
    expect(await say(runtime, telegram, ['EFFACER', '1'])).toContain('tout ce qui te concerne est effacé');

    const after = [...(await dumpKeys(redis, keys.root)).values()].flat().join('\n');
    for (const trace of ['22376543210', '76 54 32 10', '987654321', 'Kadiatou', 'Sogoniko', 'Kadi']) {
      expect(after).not.toContain(trace);
    }
  });
});
