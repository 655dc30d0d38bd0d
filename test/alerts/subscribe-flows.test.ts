// People subscribe and unsubscribe through the real flows and runtime, in every language, with buttons and with the
// Telegram commands (/alerts, /subscribe, /unsubscribe, stop), and their subscriptions land in Redis.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisSubscriptions, SubscriptionRefusedError } from '../../src/alerts/subscriptions.ts';
import { textInput } from '../../src/channels/telegram/parse.ts';
import type { Input, Lang } from '../../src/engine/types.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import type { OutMessage } from '../../src/ports/out-message.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { newChat } from './support/alerts.ts';

/** A person talking to the bot on Telegram: typed text goes through the Telegram parser, buttons are pressed. */
class Person {
  last: OutMessage[] = [];
  constructor(
    private readonly app: TestApp,
    readonly chat: ChatRef,
  ) {}

  async send(input: Input): Promise<OutMessage[]> {
    this.last = await this.app.runtime.handle(this.chat, input);
    return this.last;
  }

  type(text: string): Promise<OutMessage[]> {
    return this.send(textInput(text));
  }

  /** Presses the button `id` of the latest question (turning the pages of a long list, 7 choices a page). */
  async press(id: string): Promise<OutMessage[]> {
    let question = this.last.filter((m) => m.choices).at(-1);
    while (!question?.choices?.some((c) => c.id === id) && question?.choices?.some((c) => c.id === 'more-choices')) {
      await this.send({ kind: 'choice', id: 'more-choices', version: question.version ?? 0 });
      question = this.last.filter((m) => m.choices).at(-1);
    }
    if (!question?.choices?.some((c) => c.id === id)) {
      throw new Error(`no button "${id}" in ${JSON.stringify(this.last)}`);
    }
    return this.send({ kind: 'choice', id, version: question.version ?? 0 });
  }

  text(): string {
    return this.last.flatMap((m) => m.paragraphs).join('\n');
  }
}

const STOP_WORD: Record<Lang, string> = { fr: 'arrêter', en: 'stop', bm: 'jɔ' };
const SUBSCRIBED: Record<Lang, string> = {
  fr: "C'est fait. Écris STOP pour arrêter.",
  en: 'Done. Write STOP to stop.',
  bm: 'A kɛra. JƆ sɛbɛn ka a jɔ.',
};
const PAUSED: Record<Lang, string> = {
  fr: 'Tes alertes sont en pause',
  en: 'Your alerts are paused',
  bm: 'I ka kunnafoni teliw jɔra',
};
const TRAVEL: Record<Lang, string> = { fr: 'Voyager, frontières', en: 'Travel and borders', bm: 'Taama ni dancɛw' };

describe('subscribing to alerts through the conversation', () => {
  let r: TestRedis;
  let subscriptions: RedisSubscriptions;
  let app: TestApp;

  beforeEach(async () => {
    r = await testRedis();
    subscriptions = new RedisSubscriptions(r.redis, r.keys);
    app = await createTestApp({ subscriptions });
  });
  afterEach(async () => {
    await app.close();
    await r.cleanup();
  });

  async function newPerson(lang: Lang): Promise<Person> {
    const person = new Person(app, newChat());
    await person.send({ kind: 'start' });
    await person.press(lang);
    return person;
  }

  for (const lang of ['fr', 'en', 'bm'] as const) {
    it(`subscribes, stops, resumes, lists and unsubscribes in ${lang}`, async () => {
      const person = await newPerson(lang);

      await person.type('/alerts');
      await person.press('subscribe');
      await person.press('travel');
      await person.press('kayes');
      await person.press('yes');
      expect(person.text()).toContain(SUBSCRIBED[lang]);
      expect(await subscriptions.get(person.chat)).toEqual({ lang, paused: false, topics: { travel: ['kayes'] } });

      await person.type(STOP_WORD[lang]);
      expect(person.text()).toContain(PAUSED[lang]);
      expect(await subscriptions.get(person.chat)).toMatchObject({ paused: true, topics: { travel: ['kayes'] } });

      // Opening the alerts again ends the pause; the topics were kept.
      await person.type('/alerts');
      expect(await subscriptions.get(person.chat)).toMatchObject({ paused: false, topics: { travel: ['kayes'] } });

      await person.press('list');
      expect(person.text()).toContain(TRAVEL[lang]);

      await person.type('/unsubscribe');
      await person.press('travel');
      expect(await subscriptions.get(person.chat)).toBeNull();
      expect(await subscriptions.list(person.chat)).toEqual([]);
    });
  }

  it('subscribes with /subscribe and adds regions and topics rather than replacing them', async () => {
    const person = await newPerson('en');
    for (const [topic, region] of [
      ['travel', 'kayes'],
      ['travel', 'gao'],
      ['urgent', 'bamako'],
    ] as const) {
      await person.type('/subscribe');
      await person.press(topic);
      await person.press(region);
      await person.press('yes');
    }
    expect(await subscriptions.get(person.chat)).toEqual({
      lang: 'en',
      paused: false,
      topics: { travel: ['kayes', 'gao'], urgent: ['bamako'] },
    });
    await person.type('/alerts');
    await person.press('unsubscribe-all');
    expect(await subscriptions.get(person.chat)).toBeNull();
  });

  it('a subscribe after a stop sends again, in the language the person now uses', async () => {
    const person = await newPerson('fr');
    await person.type('/subscribe');
    await person.press('urgent');
    await person.press('bamako');
    await person.press('yes');
    await person.type('stop');
    await person.type('language');
    await person.press('en');
    await person.type('/subscribe');
    await person.press('travel');
    await person.press('bamako');
    await person.press('yes');
    expect(await subscriptions.get(person.chat)).toEqual({
      lang: 'en',
      paused: false,
      topics: { urgent: ['bamako'], travel: ['bamako'] },
    });
  });

  it('erasing my data removes my subscriptions', async () => {
    const person = await newPerson('fr');
    await person.type('/subscribe');
    await person.press('urgent');
    await person.press('mopti');
    await person.press('yes');
    await person.type('effacer');
    await person.press(person.last.filter((m) => m.choices).at(-1)!.choices![0]!.id);
    expect(await subscriptions.get(person.chat)).toBeNull();
    expect(await r.redis.smembers(subscriptions.alertKeys.people)).toEqual([]);
  });

  it('tells WhatsApp users that alerts come through Telegram, and refuses a WhatsApp subscription', async () => {
    const chat: ChatRef = { channel: 'whatsapp', id: '22370000000@c.us' };
    const person = new Person(app, chat);
    await person.send({ kind: 'start' });
    await person.press('fr');
    await person.type('/subscribe');
    expect(person.text()).toContain('Les alertes passent par Telegram');
    await expect(subscriptions.subscribe(chat, ['urgent'], 'fr', 'bamako')).rejects.toBeInstanceOf(
      SubscriptionRefusedError,
    );
    expect(await subscriptions.get(chat)).toBeNull();
  });
});
