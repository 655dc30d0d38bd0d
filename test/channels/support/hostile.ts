// fast-check generators of hostile updates for every channel: random Unicode (lone surrogates and control
// characters included), right-to-left and zero-width text, 10,000-character messages, emoji floods, keyword and
// number look-alikes, markup and template injection, unknown and forged callback data, stale and current button
// presses, every media kind, edited messages, service messages, groups, channels, and chats nobody has seen.
import fc from 'fast-check';
import type { Update } from 'grammy/types';
import type { WaIncomingMessage } from '../../../src/channels/whatsapp/parse.ts';

// --- text -----------------------------------------------------------------------------------------------------

const ZERO_WIDTH = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u180E'];
const BIDI = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
];
const RTL_WORDS = ['جواز السفر', 'مساعدة', 'الشرطة', 'قائمة', 'פספורט', 'עזרה', 'ߒ ߓߊ߯ ߘߍ߬ߡߍ߲߬', '١٢٣', '٤'];
const EMOJI = [
  '😀',
  '🙏🏿',
  '👨‍👩‍👧‍👦',
  '🇲🇱',
  '🏳️‍🌈',
  '1️⃣',
  '2️⃣',
  '🔟',
  '#️⃣',
  '❤️',
  '🧑🏾‍🦱',
  '\u{1F9D1}\u200D\u{1F4BB}',
  '️',
  '⃣',
];
const LOOK_ALIKES = [
  'menu',
  'MENU',
  ' Menu ',
  'aide',
  'help',
  'stop',
  'STOP',
  'EFFACER',
  'erase',
  'langue',
  'language',
  'kan',
  '1',
  '2',
  '3',
  '4',
  '5',
  '7',
  '9',
  '10',
  '12',
  '0',
  '00',
  '-1',
  '+1',
  '1.5',
  '1e9',
  '99999999999999999999999',
  'NaN',
  'Infinity',
  '１',
  '١',
  '߁',
  '1️⃣',
  '🔟',
  'oui',
  'non',
  'yes',
  'no',
  'awɔ',
  'passer',
  'skip',
  'annuler',
  'cancel',
  '+223 70 00 00 01',
  '0022370000001',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];
const INJECTIONS = [
  '<b>gras</b>',
  '<script>alert(1)</script>',
  '</i><a href="javascript:x">',
  '&amp;&lt;&#0;',
  '*gras* _it_ ~barré~ ```code```',
  '{{nickname}}',
  '{{__proto__}}',
  '{{',
  '}}',
  '$(reboot)',
  '%s%s%n',
  '\\u0000',
  'null',
  'undefined',
  '@region:bamako',
  '@contact:__proto__',
  'c:1:menu',
  '/start faq-arrested-abroad',
  '/start ../../etc/passwd',
  '/menu@kunnafoni_bot',
  '/help extra words',
  '/',
  '//start',
];
const QUESTIONS = [
  "la police m'a pris mon passeport",
  'jai ete refoule a la frontiere',
  'my brother is missing in Libya',
  'ne ka pasipɔri minɛ',
  'comment avoir la carte biometrique',
  'je veux rentrer au pays',
];
const CONTROL = ['\u0000', '\u0007', '\n', '\n\n\n', '\r\n', '\t', '\u001B[31m', '\u0085', '\u2028', '\u2029'];
const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a\uD83Db'];

const piece = fc.oneof(
  fc.constantFrom(...ZERO_WIDTH),
  fc.constantFrom(...BIDI),
  fc.constantFrom(...RTL_WORDS),
  fc.constantFrom(...EMOJI),
  fc.constantFrom(...LOOK_ALIKES),
  fc.constantFrom(...CONTROL),
  fc.constantFrom(...LONE_SURROGATES),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);

/** A 10,000-character message (or close to it) made of one repeated unit. */
const longText = fc
  .tuple(
    fc.constantFrom('a', 'é', '🙂', '\u200B', 'ߞ', '1️⃣', 'menu ', 'ج', ' '),
    fc.integer({ min: 2_000, max: 10_000 }),
  )
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length))
  .chain((text) => fc.constantFrom(text, text.padEnd(10_000, '!')));

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 4, arbitrary: fc.array(piece, { maxLength: 12 }).map((p) => p.join('')) },
  // A keyword or a number with zero-width or bidi characters slipped in.
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...LOOK_ALIKES), fc.constantFrom(...ZERO_WIDTH, ...BIDI), fc.nat())
      .map(([word, mark, at]) => {
        const i = word.length === 0 ? 0 : at % (word.length + 1);
        return word.slice(0, i) + mark + word.slice(i);
      }),
  },
  { weight: 4, arbitrary: fc.constantFrom(...LOOK_ALIKES) },
  { weight: 2, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.constantFrom(...QUESTIONS) },
  {
    weight: 1,
    arbitrary: fc.array(fc.constantFrom(...EMOJI), { minLength: 20, maxLength: 400 }).map((e) => e.join('')),
  },
  { weight: 1, arbitrary: longText },
);

// --- Telegram ---------------------------------------------------------------------------------------------------

/** Chats the conversation goes on in (state builds up), and chats never seen before. */
export const KNOWN_TELEGRAM_CHATS = [1001, 1002, 1003, 1004];
const telegramChatId = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_TELEGRAM_CHATS) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) },
);
const languageCode = fc.option(fc.constantFrom('fr', 'en', 'bm', 'en-GB', 'ar', 'zz', '', 'FR', 'x'.repeat(40)), {
  nil: undefined,
});
const chatType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('private' as const) },
  { weight: 1, arbitrary: fc.constantFrom('group' as const, 'supergroup' as const, 'channel' as const) },
);

const file = (kind: string, n: number) => ({ file_id: `f-${kind}-${n}`, file_unique_id: `u-${kind}-${n}` });

const MEDIA_FIELDS = [
  'voice',
  'audio',
  'photo',
  'photo-empty',
  'document',
  'animation',
  'sticker',
  'video',
  'video_note',
  'location',
  'venue',
  'contact',
  'poll',
  'dice',
  'new_chat_members',
  'pinned_message',
  'game',
] as const;

function mediaFields(kind: (typeof MEDIA_FIELDS)[number], n: number): Record<string, unknown> {
  switch (kind) {
    case 'voice':
      return { voice: { ...file(kind, n), duration: 3 } };
    case 'audio':
      return { audio: { ...file(kind, n), duration: 3 } };
    case 'photo':
      return { photo: [{ ...file(kind, n), width: 90, height: 90 }] };
    case 'photo-empty':
      return { photo: [] };
    case 'document':
      return { document: { ...file(kind, n), file_name: '<b>scan</b>.pdf' } };
    case 'animation':
      return { animation: { ...file(kind, n), width: 1, height: 1, duration: 1 }, document: file('doc', n) };
    case 'sticker':
      return {
        sticker: { ...file(kind, n), type: 'regular', width: 1, height: 1, is_animated: false, is_video: false },
      };
    case 'video':
      return { video: { ...file(kind, n), width: 1, height: 1, duration: 1 } };
    case 'video_note':
      return { video_note: { ...file(kind, n), length: 1, duration: 1 } };
    case 'location':
      return { location: { latitude: 12.64, longitude: -8 } };
    case 'venue':
      return { venue: { location: { latitude: 1, longitude: 2 }, title: 'x', address: 'y' } };
    case 'contact':
      return { contact: { phone_number: '+22370000000', first_name: 'Awa' } };
    case 'poll':
      return { poll: { id: 'p', question: '?', options: [], is_closed: false } };
    case 'dice':
      return { dice: { emoji: '🎲', value: 6 } };
    case 'new_chat_members':
      return { new_chat_members: [{ id: 5, is_bot: false, first_name: 'A' }] };
    case 'pinned_message':
      return { pinned_message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } };
    case 'game':
      return { game: { title: 'g', description: 'd', photo: [] } };
  }
}

/** callback_data: ours (current or stale version, real or unknown choice), digests, junk, or none at all. */
const callbackData = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom('fr', 'en', 'bm', 'rights', 'question', 'yes', 'no', 'send', 'cancel', 'skip', 'menu', 'x'),
      )
      .map(([v, id]) => `c:${v}:${id}`),
  },
  { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.string({ maxLength: 24 })).map(([v, d]) => `h:${v}:${d}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  { weight: 1, arbitrary: fc.constantFrom('c:99999999999999999999:x', 'c:-1:fr', 'c::', 'c:1:', ':', '', 'h:1:') },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

export type TelegramEvent =
  | { type: 'update'; update: Update }
  /** Press a button of the last keyboard this chat was shown (current version), resolved when the test runs. */
  | { type: 'press-current'; chatId: number; index: number }
  /** Press a button of the last keyboard with an older version. */
  | { type: 'press-stale'; chatId: number; index: number; behind: number };

/** True about one time in `n`. */
const oneIn = (n: number) =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

let serial = 1;
const next = () => serial++;

const telegramMessageUpdate = fc
  .record({
    chatId: telegramChatId,
    chatType,
    lang: languageCode,
    edited: oneIn(5),
    content: fc.oneof(
      { weight: 6, arbitrary: hostileText.map((text) => ({ text })) },
      { weight: 2, arbitrary: fc.constantFrom(...MEDIA_FIELDS).map((kind) => ({ kind })) },
      {
        weight: 1,
        arbitrary: fc
          .option(fc.constantFrom('faq-arrested-abroad', 'topic-travel', 'faq-nope', 'x'.repeat(300), ''), { nil: '' })
          .map((p) => ({ text: p ? `/start ${p}` : '/start' })),
      },
    ),
  })
  .map(({ chatId, chatType: type, lang, edited, content }): Update => {
    const n = next();
    const chat =
      type === 'private' ? { id: chatId, type, first_name: 'Awa' } : { id: -Math.abs(chatId), type, title: 'G' };
    const from = {
      id: chatId,
      is_bot: false,
      first_name: 'Awa',
      ...(lang === undefined ? {} : { language_code: lang }),
    };
    const body = 'text' in content ? { text: content.text } : (mediaFields(content.kind, n) as Record<string, unknown>);
    const message = { message_id: n, date: 1_700_000_000, chat, from, ...body };
    if (type === 'channel') return { update_id: n, channel_post: message } as unknown as Update;
    return (edited
      ? { update_id: n, edited_message: { ...message, edit_date: 1_700_000_001 } }
      : { update_id: n, message }) as unknown as Update;
  });

const telegramCallbackUpdate = fc
  .record({
    chatId: telegramChatId,
    chatType,
    lang: languageCode,
    data: callbackData,
    withMessage: oneIn(6).map((inline) => !inline),
  })
  .map(({ chatId, chatType: type, lang, data, withMessage }): Update => {
    const n = next();
    const chat =
      type === 'private' ? { id: chatId, type, first_name: 'Awa' } : { id: -Math.abs(chatId), type, title: 'G' };
    const from = {
      id: chatId,
      is_bot: false,
      first_name: 'Awa',
      ...(lang === undefined ? {} : { language_code: lang }),
    };
    const query: Record<string, unknown> = { id: `cb-${n}`, from, chat_instance: 'ci' };
    if (data !== undefined) query.data = data;
    if (withMessage) query.message = { message_id: n, date: 0, chat, text: 'question' };
    else query.inline_message_id = `inline-${n}`;
    return { update_id: n, callback_query: query } as unknown as Update;
  });

const telegramOtherUpdate = fc
  .constantFrom('member', 'kicked', 'inline', 'poll_answer', 'unknown')
  .map((kind): Update => {
    const n = next();
    const from = { id: 1001, is_bot: false, first_name: 'Awa' };
    const chat = { id: 1001, type: 'private', first_name: 'Awa' };
    switch (kind) {
      case 'member':
      case 'kicked':
        return {
          update_id: n,
          my_chat_member: {
            chat,
            from,
            date: 0,
            old_chat_member: { status: 'member', user: from },
            new_chat_member: { status: kind, user: from },
          },
        } as unknown as Update;
      case 'inline':
        return { update_id: n, inline_query: { id: 'q', from, query: 'x', offset: '' } } as unknown as Update;
      case 'poll_answer':
        return { update_id: n, poll_answer: { poll_id: 'p', user: from, option_ids: [] } } as unknown as Update;
      default:
        return { update_id: n, something_new: { x: 1 } } as unknown as Update;
    }
  });

export const telegramEvent: fc.Arbitrary<TelegramEvent> = fc.oneof(
  { weight: 10, arbitrary: telegramMessageUpdate.map((update) => ({ type: 'update' as const, update })) },
  { weight: 3, arbitrary: telegramCallbackUpdate.map((update) => ({ type: 'update' as const, update })) },
  { weight: 1, arbitrary: telegramOtherUpdate.map((update) => ({ type: 'update' as const, update })) },
  {
    weight: 6,
    arbitrary: fc
      .record({ chatId: fc.constantFrom(...KNOWN_TELEGRAM_CHATS), index: fc.nat(20) })
      .map((e) => ({ type: 'press-current' as const, ...e })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        chatId: fc.constantFrom(...KNOWN_TELEGRAM_CHATS),
        index: fc.nat(20),
        behind: fc.integer({ min: 1, max: 5 }),
      })
      .map((e) => ({ type: 'press-stale' as const, ...e })),
  },
);

// --- WhatsApp ---------------------------------------------------------------------------------------------------

export const OWN_WHATSAPP_ID = '22300000000@c.us';
export const KNOWN_WHATSAPP_CHATS = ['22370000001@c.us', '22370000002@c.us', '98765@lid'];
const WA_TYPES = [
  'chat',
  'ptt',
  'audio',
  'image',
  'album',
  'document',
  'vcard',
  'multi_vcard',
  'location',
  'sticker',
  'video',
  'ptv',
  'revoked',
  'e2e_notification',
  'notification_template',
  'call_log',
  'ciphertext',
  'gp2',
  'poll_creation',
  'unknown',
  '',
];

export const whatsappMessage: fc.Arbitrary<WaIncomingMessage> = fc
  .record({
    from: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...KNOWN_WHATSAPP_CHATS) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 999_999_999_999 }).map((n) => `${n}@c.us`) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '1203630@g.us',
          'status@broadcast',
          '123@broadcast',
          '120363@newsletter',
          OWN_WHATSAPP_ID,
          '',
          '@c.us',
          'x',
        ),
      },
    ),
    fromMe: oneIn(10),
    type: fc.oneof(
      { weight: 8, arbitrary: fc.constant('chat') },
      { weight: 3, arbitrary: fc.constantFrom(...WA_TYPES) },
    ),
    body: fc.option(hostileText, { nil: undefined, freq: 10 }),
    isStatus: oneIn(10),
    broadcast: oneIn(10),
  })
  .map(({ from, fromMe, type, body, isStatus, broadcast }) => {
    const n = next();
    return {
      id: { id: `M${n}`, _serialized: `${fromMe}_${from}_M${n}`, fromMe },
      from,
      fromMe,
      type,
      ...(body === undefined ? {} : { body }),
      isStatus,
      broadcast,
    };
  });

// --- terminal ---------------------------------------------------------------------------------------------------

export const consoleLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.constantFrom('/voice', '/photo', '/document', '/location', '/sticker', '/video', '/x') },
  { weight: 1, arbitrary: hostileText.map((p) => `/start ${p}`) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r', '\t\t') },
);
