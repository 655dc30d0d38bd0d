// Who a conversation is with: a channel and that channel's id for the chat.
import type { ChannelName } from '../engine/types.ts';

export type { ChannelName };

export type ChatRef = { channel: ChannelName; id: string };

/** Stable string form, used in Redis keys and job ids (never contains personal data beyond the platform id). */
export function chatKey(chat: ChatRef): string {
  return `${chat.channel}:${chat.id}`;
}
