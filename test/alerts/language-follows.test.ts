// A person who changes language in the conversation gets their later alerts in the language they chose: the
// `set_language` effect moves their subscription (real flows, runtime, Redis, BullMQ and the loopback Bot API).
import { afterEach, describe, expect, it } from 'vitest';
import { textInput } from '../../src/channels/telegram/parse.ts';
import type { Input } from '../../src/engine/types.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import type { OutMessage } from '../../src/ports/out-message.ts';
import type { Subscriptions } from '../../src/ports/services.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type AlertsFixture, alertsFixture, anAlert, deliveries, newChat } from './support/alerts.ts';

describe('alerts follow the language the person chose', () => {
  let f: AlertsFixture;
  let app: TestApp;
  afterEach(async () => {
    await app.close();
    await f.close();
  });

  const lastReply = new Map<string, OutMessage[]>();

  /**
   * Sends inputs one by one (a first contact starts with /start); a string is typed, `[id]` presses that button of
   * the latest question. Returns the last reply.
   */
  async function talk(chat: ChatRef, steps: (string | [string])[]): Promise<OutMessage[]> {
    let last = lastReply.get(chat.id) ?? (await app.runtime.handle(chat, { kind: 'start' }));
    for (const s of steps) {
      let input: Input;
      if (typeof s === 'string') input = textInput(s);
      else {
        const question = last.filter((m) => m.choices).at(-1);
        if (!question?.choices?.some((c) => c.id === s[0])) throw new Error(`no button ${s[0]}`);
        input = { kind: 'choice', id: s[0], version: question.version ?? 0 };
      }
      last = await app.runtime.handle(chat, input);
    }
    lastReply.set(chat.id, last);
    return last;
  }

  it('subscribed in French, switched to Bambara: the next alert comes in Bambara', async () => {
    f = await alertsFixture();
    app = await createTestApp({ subscriptions: f.subscriptions });
    await f.startWorkers();
    const person = newChat();
    const bystander = newChat();
    await talk(person, [['fr'], '/subscribe', ['urgent'], ['bamako'], ['yes']]);
    await talk(bystander, [['fr'], '/subscribe', ['urgent'], ['bamako'], ['yes']]);
    expect(await f.subscriptions.get(person)).toMatchObject({ lang: 'fr', topics: { urgent: ['bamako'] } });

    const switched = await talk(person, ['langue', ['bm']]);
    expect(switched.flatMap((m) => m.paragraphs).join('\n')).toContain('n bɛna kuma i fɛ bamanankan na');
    expect(await f.subscriptions.get(person)).toMatchObject({ lang: 'bm', topics: { urgent: ['bamako'] } });

    const alert = anAlert({ regions: ['bamako'], text: { fr: 'Le poste est fermé.', bm: 'Dogokun datugura.' } });
    expect(await f.broadcast.publish(alert)).toMatchObject({ audience: { total: 2, byLang: { fr: 1, bm: 1 } } });
    expect(await f.finished(alert.id)).toMatchObject({ sent: 2, pending: 0 });
    const sent = deliveries(f.server);
    expect(sent.get(person.id)).toEqual(['Dogokun datugura.']);
    expect(sent.get(bystander.id)).toEqual(['Le poste est fermé.']);
  });

  it('a subscription store that fails does not stop the conversation from changing language', async () => {
    f = await alertsFixture();
    const real = f.subscriptions;
    const failing: Subscriptions = {
      subscribe: (...a) => real.subscribe(...a),
      unsubscribe: (...a) => real.unsubscribe(...a),
      list: (...a) => real.list(...a),
      pause: (...a) => real.pause(...a),
      eraseFor: (...a) => real.eraseFor(...a),
      setLanguage: async () => {
        throw new Error('Connection is closed.');
      },
    };
    app = await createTestApp({ subscriptions: failing });
    const person = newChat();
    await talk(person, [['fr'], '/subscribe', ['urgent'], ['bamako'], ['yes']]);
    const switched = await talk(person, ['language', ['en']]);
    expect(switched.flatMap((m) => m.paragraphs).join('\n')).toContain('I will talk to you in English');
    expect(await real.get(person)).toMatchObject({ lang: 'fr' });
  });

  it('a person without alerts who changes language is not subscribed by it', async () => {
    f = await alertsFixture();
    app = await createTestApp({ subscriptions: f.subscriptions });
    const person = newChat();
    const switched = await talk(person, [['fr'], 'langue', ['en']]);
    expect(switched.flatMap((m) => m.paragraphs).join('\n')).toContain('I will talk to you in English');
    expect(await f.subscriptions.get(person)).toBeNull();
    expect(await f.redis.smembers(f.subscriptions.alertKeys.people)).toEqual([]);
  });
});
