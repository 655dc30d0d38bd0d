// One Outbox for services (referral relay, case updates): it hands each message to the channel the person is on.
import type { ChannelName, ChatRef } from '../ports/chat.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { Outbox, SendProgress } from '../ports/outbox.ts';

export class NoChannelError extends Error {
  constructor(channel: ChannelName) {
    super(`no ${channel} channel is running in this process`);
    this.name = 'NoChannelError';
  }
}

export class OutboxRouter implements Outbox {
  private readonly outboxes = new Map<ChannelName, Outbox>();

  register(channel: ChannelName, outbox: Outbox): this {
    this.outboxes.set(channel, outbox);
    return this;
  }

  async send(chat: ChatRef, messages: OutMessage[], progress?: SendProgress): Promise<void> {
    const outbox = this.outboxes.get(chat.channel);
    if (!outbox) throw new NoChannelError(chat.channel);
    await outbox.send(chat, messages, progress);
  }
}
