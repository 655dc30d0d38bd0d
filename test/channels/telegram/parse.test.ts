import { describe, expect, it } from 'vitest';
import { encodeChoice } from '../../../src/channels/telegram/callback-data.ts';
import { parseUpdate } from '../../../src/channels/telegram/parse.ts';
import type { UpdateBody } from '../../support/bot-api-updates.ts';
import {
  callbackUpdate,
  editedTextUpdate,
  mediaUpdate,
  startUpdate,
  textUpdate,
  withUpdateId,
} from '../../support/bot-api-updates.ts';

const parse = (body: UpdateBody) => parseUpdate(withUpdateId(body, 1));

describe('parseUpdate', () => {
  it('reads text from a private chat, with the language Telegram reports', () => {
    expect(parse(textUpdate(42, 'visa', { languageCode: 'en-GB' }))).toEqual({
      chat: { channel: 'telegram', id: '42' },
      input: { kind: 'text', text: 'visa' },
      platformLang: 'en-GB',
    });
  });

  it('reads /start with and without a deep-link payload', () => {
    expect(parse(startUpdate(1))?.input).toEqual({ kind: 'start' });
    expect(parse(startUpdate(1, 'faq-passport'))?.input).toEqual({ kind: 'start', payload: 'faq-passport' });
    expect(parse(textUpdate(1, '/start@kunnafoni_bot topic-travel'))?.input).toEqual({
      kind: 'start',
      payload: 'topic-travel',
    });
  });

  it('reads other commands as keywords, and leaves text with a slash inside alone', () => {
    expect(parse(textUpdate(1, '/language'))?.input).toEqual({ kind: 'text', text: 'language' });
    expect(parse(textUpdate(1, '/subscribe travel'))?.input).toEqual({ kind: 'text', text: 'subscribe travel' });
    expect(parse(textUpdate(1, 'et/ou'))?.input).toEqual({ kind: 'text', text: 'et/ou' });
  });

  it('reads a button press with its question version', () => {
    const data = encodeChoice(12, 'topic:documents').data;
    expect(parse(callbackUpdate(5, data))).toEqual({
      chat: { channel: 'telegram', id: '5' },
      input: { kind: 'choice', id: 'topic:documents', version: 12 },
    });
  });

  it('reads a choice id containing colons', () => {
    expect(parse(callbackUpdate(5, 'c:3:faq:a:b'))?.input).toEqual({ kind: 'choice', id: 'faq:a:b', version: 3 });
  });

  it('turns unreadable button data into a stale press', () => {
    expect(parse(callbackUpdate(5, 'hello'))?.input).toEqual({ kind: 'choice', id: '', version: -1 });
  });

  it('leaves long choice ids for the adapter to resolve', () => {
    const encoded = encodeChoice(4, `faq:${'x'.repeat(80)}`);
    const parsed = parse(callbackUpdate(5, encoded.data));
    expect(parsed?.longChoice).toEqual({ digest: encoded.long?.digest, version: 4 });
  });

  it('reads media with a file reference', () => {
    expect(parse(mediaUpdate(1, 'voice'))?.input).toMatchObject({ kind: 'media', media: 'voice' });
    const photo = parse(mediaUpdate(1, 'photo'))?.input;
    // The largest size is kept.
    expect(photo).toMatchObject({ kind: 'media', media: 'photo', ref: expect.stringMatching(/-large$/) });
    expect(parse(mediaUpdate(1, 'document'))?.input).toMatchObject({ media: 'document' });
    expect(parse(mediaUpdate(1, 'location'))?.input).toEqual({
      kind: 'media',
      media: 'location',
      ref: '12.6392,-8.0029',
    });
    expect(parse(mediaUpdate(1, 'sticker'))?.input).toEqual({ kind: 'media', media: 'sticker' });
    expect(parse(mediaUpdate(1, 'video'))?.input).toMatchObject({ media: 'video' });
    expect(parse(mediaUpdate(1, 'audio'))?.input).toMatchObject({ media: 'voice' });
  });

  it('ignores groups, channels of updates it does not answer, and edits', () => {
    expect(parse(textUpdate(-100, 'salut', { chatType: 'group' }))).toBeNull();
    expect(parse(textUpdate(-100, '/start', { chatType: 'supergroup' }))).toBeNull();
    expect(parse(callbackUpdate(-100, 'c:1:x', { chatType: 'supergroup' }))).toBeNull();
    expect(parse(editedTextUpdate(1, 'corrigé'))).toBeNull();
  });
});
