// Who a conversation is with: a channel and that channel's id for the chat.
export type ChannelName = 'telegram' | 'whatsapp' | 'console';

export type ChatRef = { channel: ChannelName; id: string };

/** Stable string form, used in Redis keys and job ids (never contains personal data beyond the platform id). */
export function chatKey(chat: ChatRef): string {
  return `${chat.channel}:${chat.id}`;
}

export function parseChatKey(key: string): ChatRef | null {
  const at = key.indexOf(':');
  if (at < 1) return null;
  const channel = key.slice(0, at);
  if (channel !== 'telegram' && channel !== 'whatsapp' && channel !== 'console') return null;
  return { channel, id: key.slice(at + 1) };
}
