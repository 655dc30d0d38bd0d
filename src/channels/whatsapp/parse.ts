// whatsapp-web.js message -> engine Input. Pure: no I/O, no library import (tests feed plain objects).
import type { Input, MediaKind } from '../../engine/types.ts';
import type { ChatRef } from '../../ports/chat.ts';

/** The part of whatsapp-web.js's `Message` that parsing reads. */
export type WaIncomingMessage = {
  id: { id: string; _serialized: string; fromMe?: boolean };
  from: string;
  fromMe: boolean;
  type: string;
  /** For media, the caption (Message.js: `body = hasMedia ? caption || '' : body`). */
  body?: string;
  /** True when the message carries a downloadable file (Message.js: `Boolean(data.directPath)`). */
  hasMedia?: boolean;
  isStatus?: boolean;
  broadcast?: boolean;
  /**
   * The file, base64 (Message.js downloadMedia: undefined without media or when WhatsApp no longer has it; it may
   * also throw). Only while the message is at hand: the channel keeps what it gets at once.
   */
  downloadMedia?(): Promise<{ mimetype: string; data: string; filename?: string | null } | undefined>;
};

export type ParsedWhatsAppMessage = {
  chat: ChatRef;
  input: Input;
  /** The library's unique id of the message, for de-duplication (contains the chat id: never log it). */
  messageId: string;
  /** A file to keep: a voice note, photo, video or document the person sent (a caption's too). */
  file?: { media: MediaKind; ref: string };
};

/** Why a message is not a conversation turn (safe to log: no personal data). */
export type IgnoredReason = 'own' | 'group' | 'status' | 'broadcast' | 'not-a-person' | 'unsupported' | 'empty';

const MEDIA_BY_TYPE: Record<string, MediaKind> = {
  ptt: 'voice',
  audio: 'voice',
  image: 'photo',
  album: 'photo',
  document: 'document',
  // A contact card is a file the person chose to share; it is handled like a document (attachable to a referral).
  vcard: 'document',
  multi_vcard: 'document',
  location: 'location',
  sticker: 'sticker',
  video: 'video',
  // Round "video notes".
  ptv: 'video',
};

/** Media whose file a person may want a caseworker to see or hear (not stickers or locations). */
const KEPT_MEDIA: readonly MediaKind[] = ['voice', 'photo', 'document', 'video'];

/** A one-to-one chat with a person: classic phone-number ids and the newer privacy ids (LID). */
export function isPersonChatId(id: string): boolean {
  return id.endsWith('@c.us') || id.endsWith('@lid');
}

/** Why the message is not for the bot, or null when it is a person writing in a private chat. */
export function ignoredReason(msg: WaIncomingMessage, ownId?: string): IgnoredReason | null {
  if (msg.fromMe || msg.id.fromMe || (ownId !== undefined && msg.from === ownId)) return 'own';
  if (msg.isStatus || msg.from === 'status@broadcast') return 'status';
  if (msg.from.endsWith('@g.us')) return 'group';
  if (msg.broadcast || msg.from.endsWith('@broadcast')) return 'broadcast';
  // Newsletters/channels (@newsletter), business system messages and anything else that is not a person.
  if (!isPersonChatId(msg.from)) return 'not-a-person';
  return null;
}

/**
 * A reference to the media that the referral intake can keep: the message's own short id, without the chat id
 * (the chat is known from the case), so the reference holds no phone number.
 */
export function mediaRef(msg: WaIncomingMessage): string {
  return `wa:${msg.id.id}`;
}

export function parseWhatsAppMessage(
  msg: WaIncomingMessage,
  ownId?: string,
): ParsedWhatsAppMessage | { ignored: IgnoredReason } {
  const reason = ignoredReason(msg, ownId);
  if (reason) return { ignored: reason };
  const chat: ChatRef = { channel: 'whatsapp', id: msg.from };
  const messageId = msg.id._serialized;
  if (msg.type === 'chat') {
    // Kept as typed, emoji digits included: the engine recognises "1️⃣" as well as "1" or a label.
    const text = (msg.body ?? '').trim();
    if (!text) return { ignored: 'empty' };
    return { chat, messageId, input: { kind: 'text', text } };
  }
  const media = MEDIA_BY_TYPE[msg.type];
  if (!media) return { ignored: 'unsupported' };
  // "Voici ma convocation, que dois-je faire ?" under a photo is a question: read it as text. Only files have a
  // caption in `body` (a location's body is a thumbnail, a contact card's a vCard).
  const caption = msg.hasMedia ? (msg.body ?? '').trim() : '';
  const ref = mediaRef(msg);
  const file = msg.hasMedia && KEPT_MEDIA.includes(media) ? { file: { media, ref } } : {};
  if (caption) return { chat, messageId, input: { kind: 'text', text: caption, media: { media, ref } }, ...file };
  return { chat, messageId, input: { kind: 'media', media, ref }, ...file };
}

export function isIgnored(
  parsed: ParsedWhatsAppMessage | { ignored: IgnoredReason },
): parsed is { ignored: IgnoredReason } {
  return 'ignored' in parsed;
}
