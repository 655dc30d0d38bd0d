// Answers and staff messages out to WhatsApp: rendered as plain text (voice notes loaded first), paced by the
// pacer, sent only through a ready client. A message for someone outside the 24-hour window is held and goes out
// when they next write; the sender is told it waits ("waiting for the person to write again").
import type { Logger } from 'pino';
import type { MessageMedia } from 'whatsapp-web.js';
import type { ChatRef } from '../../ports/chat.ts';
import type { OutMessage } from '../../ports/out-message.ts';
import type { SendProgress } from '../../ports/outbox.ts';
import type { WhatsAppLibrary } from './client.ts';
import type { WhatsAppConnection } from './connection.ts';
import { describeError } from './describe-error.ts';
import type { HeldMessages } from './held-messages.ts';
import type { Delivery, WhatsAppPacer } from './pacing.ts';
import { renderForWhatsApp, type WaOutgoing } from './render.ts';

/** Thrown by `send` when WhatsApp must not be written to and nothing was kept for later. */
export class WhatsAppSendRefused extends Error {
  constructor(readonly reason: 'not-a-person' | 'did-not-write-first') {
    super(`WhatsApp send refused: ${reason}`);
    this.name = 'WhatsAppSendRefused';
  }
}

/**
 * Thrown by `send` when the message is kept and goes out the next time the person writes (they last wrote more
 * than 24 hours ago). `deferred` lets a caller outside channels/ recognise it without importing this class.
 */
export class WhatsAppDeliveryDeferred extends Error {
  readonly deferred = true;
  readonly reason = 'waiting-for-person';
  constructor() {
    super('waiting for the person to write again');
    this.name = 'WhatsAppDeliveryDeferred';
  }
}

type Sendable = { kind: 'text'; text: string } | { kind: 'voice'; media: MessageMedia };

/** A voice note counts as this many characters for the "typing…" pause (recording one takes a moment too). */
const VOICE_LENGTH = 80;

export type OutboundOptions = {
  connection: WhatsAppConnection;
  pacer: WhatsAppPacer;
  library: () => WhatsAppLibrary | null;
  held: HeldMessages | null;
  log: Logger;
  /** How long a message waits for the connection to come back before it fails. */
  sendWaitMs: number;
  splitAt?: number;
};

export class WhatsAppOutbound {
  constructor(private readonly o: OutboundOptions) {}

  /** One answer to a chat, in order, paced. */
  deliver(chatId: string, messages: OutMessage[]): Promise<Delivery> {
    const parts = this.prepare(renderForWhatsApp(messages, this.o.splitAt));
    if (parts.length === 0) return Promise.resolve({ status: 'sent', sent: 0 });
    return this.o.pacer.deliver(chatId, parts, {
      send: async (part) => {
        const { connection, sendWaitMs } = this.o;
        const client = (await connection.whenReady(sendWaitMs)) ? connection.readyClient() : null;
        if (!client) throw new Error('WhatsApp is not connected');
        const sent =
          part.kind === 'text'
            ? await client.sendMessage(chatId, part.text)
            : await client.sendMessage(chatId, part.media, { sendAudioAsVoice: true });
        // whatsapp-web.js resolves undefined, without an error, when WhatsApp Web has no such chat.
        if (!sent) throw new Error('WhatsApp has no chat with this id');
      },
      typing: async () => {
        const client = this.o.connection.readyClient();
        if (!client) return;
        await (await client.getChatById(chatId))?.sendStateTyping();
      },
      lengthOf: (part) => (part.kind === 'text' ? part.text.length : VOICE_LENGTH),
    });
  }

  /** The Outbox side (staff replies, case updates): refused, held for later, or sent. */
  async send(chat: ChatRef, messages: OutMessage[], progress?: SendProgress): Promise<void> {
    if (chat.channel !== 'whatsapp') throw new Error(`not a WhatsApp chat: ${chat.channel}`);
    if (progress?.answered) return this.sendEach(chat, messages, progress.answered);
    const delivery = await this.deliver(chat.id, messages);
    if (delivery.status === 'sent') return;
    await this.notSent(chat, messages, delivery);
  }

  /** One message at a time, each reported as soon as WhatsApp took it; what is left is held or refused as a whole. */
  private async sendEach(chat: ChatRef, messages: OutMessage[], answered: (count: number) => void): Promise<void> {
    for (const [index, message] of messages.entries()) {
      const delivery = await this.deliver(chat.id, [message]);
      if (delivery.status !== 'sent') return this.notSent(chat, messages.slice(index), delivery);
      answered(index + 1);
    }
  }

  private async notSent(
    chat: ChatRef,
    messages: OutMessage[],
    delivery: Exclude<Delivery, { status: 'sent' }>,
  ): Promise<never> {
    if (delivery.status === 'failed') throw new Error(`WhatsApp send failed: ${describeError(delivery.error)}`);
    if (delivery.reason === 'did-not-write-first' && this.o.held) {
      await this.o.held.hold(chat.id, messages);
      this.o.log.info('whatsapp message held until the person writes again');
      throw new WhatsAppDeliveryDeferred();
    }
    throw new WhatsAppSendRefused(delivery.reason);
  }

  /** Sends what was held for this person (they just wrote, so the window is open again). */
  async flushHeld(chatId: string): Promise<void> {
    const held = this.o.held;
    if (!held) return;
    let answers: OutMessage[][];
    try {
      answers = await held.take(chatId);
    } catch (error) {
      this.o.log.warn({ error: describeError(error) }, 'whatsapp held messages unavailable');
      return;
    }
    for (const [i, messages] of answers.entries()) {
      const delivery = await this.deliver(chatId, messages);
      if (delivery.status === 'sent') continue;
      // Not lost: back in the store for the next time.
      for (const rest of answers.slice(i)) await held.hold(chatId, rest).catch(() => undefined);
      this.o.log.warn({ status: delivery.status }, 'whatsapp held message not delivered, kept');
      return;
    }
    if (answers.length > 0) this.o.log.info({ count: answers.length }, 'whatsapp held messages delivered');
  }

  /** Loads voice notes before pacing starts; a missing audio file costs the voice note, never the text. */
  private prepare(parts: WaOutgoing[]): Sendable[] {
    const out: Sendable[] = [];
    for (const part of parts) {
      if (part.kind === 'text') {
        out.push(part);
        continue;
      }
      try {
        const lib = this.o.library();
        if (!lib) throw new Error('library not loaded');
        out.push({ kind: 'voice', media: lib.MessageMedia.fromFilePath(part.path) });
      } catch (error) {
        this.o.log.warn({ error: describeError(error) }, 'whatsapp voice note skipped');
      }
    }
    return out;
  }
}
