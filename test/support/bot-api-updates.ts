// Builders for Telegram updates, as the Bot API would deliver them (without `update_id`, which the
// loopback server assigns when an update is queued; use `withUpdateId` for webhook deliveries).
import type { Chat, Message, MessageEntity, Update, User } from 'grammy/types';

export type UpdateBody = Omit<Update, 'update_id'>;

export type ChatKind = 'private' | 'group' | 'supergroup';

export type MessageOptions = {
  /** Defaults to 'private'. */
  chatType?: ChatKind;
  /** The sender; defaults to a user whose id is the chat id (as in a private chat). */
  fromId?: number;
  languageCode?: string;
  messageId?: number;
  /** Seconds since epoch; defaults to now. */
  date?: number;
};

let messageCounter = 1_000_000;
let callbackCounter = 1;

export function withUpdateId(body: UpdateBody, updateId: number): Update {
  return { update_id: updateId, ...body } as Update;
}

export function userOf(id: number, languageCode?: string): User {
  const user: User = { id, is_bot: false, first_name: `Person ${id}` };
  if (languageCode) user.language_code = languageCode;
  return user;
}

export function chatOf(id: number, type: ChatKind = 'private'): Chat {
  if (type === 'private') return { id, type, first_name: `Person ${id}` } as Chat;
  return { id, type, title: `Group ${id}` } as Chat;
}

function baseMessage(chatId: number, options: MessageOptions): Message {
  const chatType = options.chatType ?? 'private';
  const fromId = options.fromId ?? (chatType === 'private' ? chatId : 1);
  return {
    message_id: options.messageId ?? messageCounter++,
    date: options.date ?? Math.floor(Date.now() / 1000),
    chat: chatOf(chatId, chatType),
    from: userOf(fromId, options.languageCode),
  } as Message;
}

/** Entities as Telegram sets them: a leading `/command` (optionally `@bot`) is a bot_command. */
function commandEntities(text: string): MessageEntity[] | undefined {
  const match = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  return match ? [{ type: 'bot_command', offset: 0, length: match[0].length }] : undefined;
}

export function textUpdate(chatId: number, text: string, options: MessageOptions = {}): UpdateBody {
  const message = { ...baseMessage(chatId, options), text } as Message;
  const entities = commandEntities(text);
  if (entities) (message as Message.TextMessage).entities = entities;
  return { message } as UpdateBody;
}

/** `/start` or `/start <payload>` (what a deep link t.me/bot?start=payload sends). */
export function startUpdate(chatId: number, payload?: string, options: MessageOptions = {}): UpdateBody {
  return textUpdate(chatId, payload ? `/start ${payload}` : '/start', options);
}

export type CallbackOptions = MessageOptions & {
  /** The id of the message carrying the keyboard. */
  keyboardMessageId?: number;
};

export function callbackUpdate(chatId: number, data: string, options: CallbackOptions = {}): UpdateBody {
  const message = {
    ...baseMessage(chatId, { ...options, messageId: options.keyboardMessageId ?? options.messageId }),
    from: { id: 999, is_bot: true, first_name: 'Bot', username: 'kunnafoni_test_bot' },
    text: 'question',
  } as Message;
  const fromId = options.fromId ?? chatId;
  return {
    callback_query: {
      id: String(callbackCounter++),
      from: userOf(fromId, options.languageCode),
      chat_instance: `ci-${chatId}`,
      message,
      data,
    },
  } as UpdateBody;
}

export type MediaKindOfUpdate = 'voice' | 'photo' | 'document' | 'location' | 'sticker' | 'video' | 'audio';

export function mediaUpdate(chatId: number, kind: MediaKindOfUpdate, options: MessageOptions = {}): UpdateBody {
  const base = baseMessage(chatId, options);
  const fileId = `file-${kind}-${base.message_id}`;
  const file = { file_id: fileId, file_unique_id: `u-${fileId}` };
  const extra: Record<string, unknown> = {
    voice: { voice: { ...file, duration: 3, mime_type: 'audio/ogg' } },
    audio: { audio: { ...file, duration: 3 } },
    photo: {
      photo: [
        { ...file, width: 90, height: 90 },
        { ...file, file_id: `${fileId}-large`, width: 800, height: 800 },
      ],
    },
    document: { document: { ...file, file_name: 'scan.pdf', mime_type: 'application/pdf' } },
    location: { location: { latitude: 12.6392, longitude: -8.0029 } },
    sticker: {
      sticker: { ...file, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false },
    },
    video: { video: { ...file, width: 640, height: 360, duration: 5 } },
  }[kind] as Record<string, unknown>;
  return { message: { ...base, ...extra } } as UpdateBody;
}

export function editedTextUpdate(chatId: number, text: string, options: MessageOptions = {}): UpdateBody {
  return {
    edited_message: { ...baseMessage(chatId, options), text, edit_date: Math.floor(Date.now() / 1000) } as Message,
  } as UpdateBody;
}
