import { describe, expect, it } from 'vitest';
import { isIgnored, parseWhatsAppMessage } from '../../../src/channels/whatsapp/parse.ts';
import { BOT_ID, waMessage } from '../../support/fake-whatsapp-client.ts';

const PERSON = '22370000000@c.us';

function inputOf(message: ReturnType<typeof waMessage>) {
  const parsed = parseWhatsAppMessage(message, BOT_ID);
  if (isIgnored(parsed)) throw new Error(`ignored: ${parsed.ignored}`);
  return parsed;
}

describe('parseWhatsAppMessage', () => {
  it('turns a text into a text input for the person’s chat, trimmed', () => {
    const parsed = inputOf(waMessage(PERSON, { body: '  passeport confisqué  ' }));
    expect(parsed.chat).toEqual({ channel: 'whatsapp', id: PERSON });
    expect(parsed.input).toEqual({ kind: 'text', text: 'passeport confisqué' });
  });

  it('keeps numbers and emoji digits as typed, for the engine to recognise', () => {
    expect(inputOf(waMessage(PERSON, { body: '2' })).input).toEqual({ kind: 'text', text: '2' });
    expect(inputOf(waMessage(PERSON, { body: '1️⃣' })).input).toEqual({ kind: 'text', text: '1️⃣' });
  });

  it('accepts the newer privacy ids (@lid) as private chats', () => {
    expect(inputOf(waMessage('123456789012345@lid', { body: 'salut' })).chat.id).toBe('123456789012345@lid');
  });

  it.each([
    ['ptt', 'voice'],
    ['audio', 'voice'],
    ['image', 'photo'],
    ['document', 'document'],
    ['location', 'location'],
    ['sticker', 'sticker'],
    ['video', 'video'],
  ] as const)('turns a %s message into %s media with a reference free of the phone number', (type, media) => {
    const message = waMessage(PERSON, { type, body: '' });
    const parsed = inputOf(message);
    expect(parsed.input).toEqual({ kind: 'media', media, ref: `wa:${message.id.id}` });
    expect(JSON.stringify(parsed.input)).not.toContain('22370000000');
  });

  it.each([
    ['a group', waMessage('120363041234567890@g.us', { body: '1' })],
    ['a status update', waMessage('status@broadcast', { body: 'hello', isStatus: true })],
    ['a broadcast list', waMessage(PERSON, { body: '1', broadcast: true })],
    ['the bot itself (fromMe)', waMessage(PERSON, { body: '1', fromMe: true })],
    ['the bot’s own number', waMessage(BOT_ID, { body: '1' })],
    ['a channel (newsletter)', waMessage('120363000000000000@newsletter', { body: 'news' })],
  ])('ignores messages from %s', (_what, message) => {
    expect(isIgnored(parseWhatsAppMessage(message, BOT_ID))).toBe(true);
  });

  it('ignores empty texts and system messages (reactions, deleted messages)', () => {
    expect(parseWhatsAppMessage(waMessage(PERSON, { body: '   ' }), BOT_ID)).toEqual({ ignored: 'empty' });
    expect(parseWhatsAppMessage(waMessage(PERSON, { type: 'revoked' }), BOT_ID)).toEqual({ ignored: 'unsupported' });
    expect(parseWhatsAppMessage(waMessage(PERSON, { type: 'reaction' }), BOT_ID)).toEqual({ ignored: 'unsupported' });
  });
});
