// Telegram Update -> engine Input. Pure: no I/O.
// Only private chats are conversations: anything from a group, supergroup or channel gives null (the staff
// group is handled by the referrals service separately). Edited messages are ignored (no reply): answering an
// edit would repeat or contradict the answer to the original.
import type { Message, Update } from 'grammy/types';
import type { Input, MediaKind } from '../../engine/types.ts';
import type { ChatRef } from '../../ports/chat.ts';
import { decodeChoice, UNKNOWN_VERSION } from './callback-data.ts';

export type ParsedUpdate = {
  chat: ChatRef;
  input: Input;
  /** The person's Telegram language code ("fr", "en-GB"), a first guess of their language. */
  platformLang?: string;
  /** A button press whose choice id is too long for callback_data: resolve the digest, then fill `input.id`. */
  longChoice?: { digest: string; version: number };
};

export function parseUpdate(update: Update): ParsedUpdate | null {
  if (update.message) return parseMessage(update.message);
  if (update.callback_query) {
    const query = update.callback_query;
    const message = query.message;
    // Inline-mode presses have no message: the press comes from the person's private chat with the bot.
    if (message && message.chat.type !== 'private') return null;
    const chat: ChatRef = { channel: 'telegram', id: String(message?.chat.id ?? query.from.id) };
    const parsed = withLang({ chat, input: choiceInput(query.data) }, query.from.language_code);
    const decoded = query.data === undefined ? null : decodeChoice(query.data);
    if (decoded?.kind === 'long') parsed.longChoice = { digest: decoded.digest, version: decoded.version };
    return parsed;
  }
  return null;
}

function choiceInput(data: string | undefined): Input {
  const decoded = data === undefined ? ({ kind: 'unknown' } as const) : decodeChoice(data);
  switch (decoded.kind) {
    case 'choice':
      return { kind: 'choice', id: decoded.id, version: decoded.version };
    case 'long':
      // Filled in by the adapter once the digest is resolved.
      return { kind: 'choice', id: '', version: decoded.version };
    case 'unknown':
      // Not one of ours (or from an older format): a stale press, so the current question is shown again.
      return { kind: 'choice', id: '', version: UNKNOWN_VERSION };
  }
}

function parseMessage(message: Message): ParsedUpdate | null {
  if (message.chat.type !== 'private') return null;
  const input = messageInput(message);
  if (!input) return null;
  return withLang({ chat: { channel: 'telegram', id: String(message.chat.id) }, input }, message.from?.language_code);
}

function withLang(parsed: ParsedUpdate, lang: string | undefined): ParsedUpdate {
  if (lang) parsed.platformLang = lang;
  return parsed;
}

function messageInput(message: Message): Input | null {
  if (message.text !== undefined) return textInput(message.text);
  const media = mediaOf(message);
  // "Voici ma convocation, que dois-je faire ?" under a photo is a question: read it as text, with its file.
  const caption = message.caption?.trim();
  if (media?.ref && caption && FILE_MEDIA.includes(media.kind)) {
    return { kind: 'text', text: caption, media: { media: media.kind, ref: media.ref } };
  }
  if (media)
    return media.ref === undefined
      ? { kind: 'media', media: media.kind }
      : { kind: 'media', media: media.kind, ref: media.ref };
  // Service messages (pinned, new members...), polls, contacts, dice: nothing to answer.
  return null;
}

/**
 * `/start` and `/start <payload>` (deep links) become a start input. Other commands lose their slash and
 * `@botname`, so `/menu@kunnafoni_bot` reads as the keyword "menu" in the flows.
 */
export function textInput(text: string): Input {
  const command = /^\/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!command) return { kind: 'text', text };
  const [, name, rest] = command as unknown as [string, string, string | undefined];
  const args = rest?.trim() ?? '';
  if (name.toLowerCase() === 'start') return args ? { kind: 'start', payload: args } : { kind: 'start' };
  return { kind: 'text', text: args ? `${name} ${args}` : name };
}

/** Media with a file a caseworker may see or hear (a location or sticker has none). */
const FILE_MEDIA: readonly MediaKind[] = ['voice', 'photo', 'document', 'video'];

function mediaOf(message: Message): { kind: MediaKind; ref?: string } | null {
  if (message.voice) return { kind: 'voice', ref: message.voice.file_id };
  if (message.audio) return { kind: 'voice', ref: message.audio.file_id };
  if (message.photo) {
    // Telegram lists sizes from smallest to largest; keep the largest.
    const largest = message.photo[message.photo.length - 1];
    return largest ? { kind: 'photo', ref: largest.file_id } : { kind: 'photo' };
  }
  // An animation (GIF) also carries a `document`: check it first.
  if (message.animation) return { kind: 'video' };
  if (message.document) return { kind: 'document', ref: message.document.file_id };
  if (message.sticker) return { kind: 'sticker' };
  if (message.video) return { kind: 'video', ref: message.video.file_id };
  if (message.video_note) return { kind: 'video', ref: message.video_note.file_id };
  if (message.location) return { kind: 'location', ref: `${message.location.latitude},${message.location.longitude}` };
  if (message.venue) return { kind: 'location' };
  return null;
}
