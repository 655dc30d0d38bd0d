// Who a conversation is with: a channel and that channel's id for the chat.
export type ChannelName = 'telegram' | 'whatsapp' | 'console';

export type ChatRef = { channel: ChannelName; id: string };

/** Stable string form, used in Redis keys and job ids (never contains personal data beyond the platform id). */
export function chatKey(chat: ChatRef): string {
  return `${chat.channel}:${chat.id}`;
}
