// People's messages and calls from WhatsApp into the runtime: each message once (a reconnect may deliver it
// again), in order per person, the same person under their phone id and their privacy id (@lid) as one chat,
// captions read as text, calls declined with a short text. What was held for the person goes out first.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Input } from '../../engine/types.ts';
import type { RedisKeys } from '../../infra/keys.ts';
import type { ChatRef } from '../../ports/chat.ts';
import type { OutMessage } from '../../ports/out-message.ts';
import type { ChannelCapabilities } from '../../runtime/capabilities.ts';
import type { InputMeta } from '../../runtime/runtime.ts';
import type { WaCall, WaClient } from './client.ts';
import type { WhatsAppConnection } from './connection.ts';
import { describeError } from './describe-error.ts';
import type { WhatsAppOutbound } from './outbound.ts';
import type { Delivery, WhatsAppPacer } from './pacing.ts';
import {
  isIgnored,
  isPersonChatId,
  type ParsedWhatsAppMessage,
  parseWhatsAppMessage,
  type WaIncomingMessage,
} from './parse.ts';
import { WHATSAPP_SPLIT_AT } from './render.ts';

/** What the channel needs from the runtime (src/runtime/runtime.ts's `Runtime` has this shape). */
export type HandlesInput = {
  handle(chat: ChatRef, input: Input, meta?: InputMeta): Promise<OutMessage[]>;
};

/** WhatsApp Web has no working buttons any more: numbered menus; voice notes work. */
export const WHATSAPP_CAPABILITIES: ChannelCapabilities = { buttons: false, maxText: WHATSAPP_SPLIT_AT, voice: true };

const SEEN_TTL_SECONDS = 3 * 24 * 60 * 60;
const ID_CACHE_MAX = 20_000;

/** Sent after declining a call. No language is known yet: French first (most people), then English. */
export const DEFAULT_CALL_REPLY: OutMessage = {
  paragraphs: [
    'Je ne peux pas répondre aux appels. Écris-moi un message ou envoie une note vocale.',
    'I cannot take calls: please write a message.',
  ],
};

export type InboundOptions = {
  runtime: HandlesInput;
  redis: Redis;
  keys: RedisKeys;
  log: Logger;
  connection: WhatsAppConnection;
  pacer: WhatsAppPacer;
  outbound: WhatsAppOutbound;
  callReply?: OutMessage;
  /** Keeps the files people send (sealed, for a while, until a case takes them); absent: only references. */
  attachments?: HoldsFiles;
};

/** The part of the case attachment store (src/referrals/attachments.ts) the channel uses. */
export type HoldsFiles = {
  hold(chat: ChatRef, file: { contentType: string; body: Uint8Array }): Promise<string | null>;
};

export class WhatsAppInbound {
  /** Tail of each chat's incoming work: one message is handled and answered before the next one starts. */
  private readonly chains = new Map<string, Promise<void>>();
  /** @lid and phone ids -> the id the person's session is kept under (phone id when known). Memory only. */
  private readonly personIds = new Map<string, string>();

  constructor(private readonly o: InboundOptions) {}

  /** Listens to a new client; events of a replaced client are ignored. */
  attach(client: WaClient): void {
    client.on('message', (message) => {
      if (this.o.connection.isCurrentClient(client)) this.onMessage(client, message);
    });
    client.on('incoming_call', (call) => {
      if (this.o.connection.isCurrentClient(client)) this.queue(call.from ?? '', () => this.onCall(client, call));
    });
  }

  /** Resolves when the messages being handled are answered. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private onMessage(client: WaClient, message: WaIncomingMessage): void {
    let parsed: ReturnType<typeof parseWhatsAppMessage>;
    try {
      parsed = parseWhatsAppMessage(message, this.o.connection.ownId);
    } catch (error) {
      this.o.log.warn({ error: describeError(error) }, 'whatsapp message could not be read');
      return;
    }
    if (isIgnored(parsed)) {
      this.o.log.debug({ reason: parsed.ignored, type: message.type }, 'whatsapp message ignored');
      return;
    }
    this.queue(parsed.chat.id, () => this.handle(client, parsed, message));
  }

  private queue(key: string, work: () => Promise<void>): void {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const tail = previous.then(work).catch((error) => {
      this.o.log.error({ error: describeError(error) }, 'whatsapp message handling failed');
    });
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
  }

  private async handle(client: WaClient, parsed: ParsedWhatsAppMessage, message: WaIncomingMessage): Promise<void> {
    if (!(await this.firstDelivery(parsed.messageId))) {
      this.o.log.debug({ kind: parsed.input.kind }, 'whatsapp message already handled');
      return;
    }
    const chat: ChatRef = { channel: 'whatsapp', id: await this.personId(client, parsed.chat.id) };
    if (!(await this.o.pacer.noteInbound(chat.id))) this.o.log.warn('whatsapp reply window not recorded in redis');
    await this.o.outbound.flushHeld(chat.id);
    const input = parsed.file ? await this.withKeptFile(chat, parsed.input, message) : parsed.input;
    const reply = await this.o.runtime.handle(chat, input, { capabilities: WHATSAPP_CAPABILITIES });
    this.logDelivery(await this.o.outbound.deliver(chat.id, reply), parsed.input.kind);
  }

  /**
   * WhatsApp's files can only be fetched while the message is at hand (and expire from its servers): the file is
   * downloaded now and held, sealed, under a reference of its own that a request can take. Without it, the
   * message's own reference stays (the console then says it cannot open the file).
   */
  private async withKeptFile(chat: ChatRef, input: Input, message: WaIncomingMessage): Promise<Input> {
    const store = this.o.attachments;
    if (!store || !message.downloadMedia) return input;
    let ref: string | null = null;
    try {
      const media = await message.downloadMedia();
      if (media?.data) {
        const body = Buffer.from(media.data, 'base64');
        ref = await store.hold(chat, { contentType: media.mimetype || 'application/octet-stream', body });
      }
    } catch (error) {
      this.o.log.warn({ error: describeError(error) }, 'whatsapp file not downloaded');
    }
    if (!ref) return input;
    if (input.kind === 'media') return { ...input, ref };
    if (input.kind === 'text' && input.media) return { ...input, media: { ...input.media, ref } };
    return input;
  }

  private async onCall(client: WaClient, call: WaCall): Promise<void> {
    if (call.fromMe || call.isGroup || !call.from || !isPersonChatId(call.from)) return;
    try {
      await call.reject();
    } catch (error) {
      this.o.log.warn({ error: describeError(error) }, 'whatsapp call not declined');
    }
    const id = await this.personId(client, call.from);
    // The person reached out: they may be answered, like after a message.
    await this.o.pacer.noteInbound(id);
    this.logDelivery(await this.o.outbound.deliver(id, [this.o.callReply ?? DEFAULT_CALL_REPLY]), 'call');
  }

  /**
   * One person, one session: WhatsApp now shows some people under a privacy id (`…@lid`) and others, or the same
   * person later, under their phone id (`…@c.us`). whatsapp-web.js's getContactLidAndPhone gives both.
   */
  private async personId(client: WaClient, from: string): Promise<string> {
    if (!from.endsWith('@lid')) return from;
    const known = this.personIds.get(from);
    if (known) return known;
    let id = from;
    try {
      const [pair] = await client.getContactLidAndPhone([from]);
      if (pair?.pn && isPersonChatId(pair.pn)) id = pair.pn;
    } catch (error) {
      this.o.log.debug({ error: describeError(error) }, 'whatsapp phone id of a lid not found');
    }
    if (this.personIds.size >= ID_CACHE_MAX) this.personIds.clear();
    this.personIds.set(from, id);
    return id;
  }

  /** True the first time a message id is seen (a reconnect may deliver a message again). */
  private async firstDelivery(messageId: string): Promise<boolean> {
    const digest = createHash('sha256').update(messageId).digest('base64url').slice(0, 22);
    try {
      const set = await this.o.redis.set(this.o.keys.key('wa', 'seen', digest), '1', 'EX', SEEN_TTL_SECONDS, 'NX');
      return set === 'OK';
    } catch (error) {
      // Better to risk answering twice than not at all.
      this.o.log.warn({ error: describeError(error) }, 'whatsapp de-duplication unavailable');
      return true;
    }
  }

  private logDelivery(delivery: Delivery, inputKind: string): void {
    const { log } = this.o;
    if (delivery.status === 'sent') log.debug({ inputKind, sent: delivery.sent }, 'whatsapp reply sent');
    else if (delivery.status === 'refused') log.warn({ reason: delivery.reason }, 'whatsapp reply refused');
    else log.error({ sent: delivery.sent, error: describeError(delivery.error) }, 'whatsapp reply failed');
  }
}
