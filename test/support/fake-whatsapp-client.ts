// A stand-in for whatsapp-web.js's Client at the library boundary: same methods and events, no browser.
// It records what the bot sends and lets a test play the WhatsApp side (pairing, messages, outages).
import { EventEmitter } from 'node:events';
import type { ClientOptions } from 'whatsapp-web.js';
import type { WaChat, WaClient, WaSendOptions } from '../../src/channels/whatsapp/client.ts';
import type { WaIncomingMessage } from '../../src/channels/whatsapp/parse.ts';

export type SentRecord = { chatId: string; content: unknown; options?: WaSendOptions; at: number };
export type TypingRecord = { chatId: string; at: number };

export const BOT_ID = '22300000001@c.us';

let messageCounter = 0;

/** An incoming message as the library would emit it; `from` defaults to a person's private chat. */
export function waMessage(
  from: string,
  fields: Partial<WaIncomingMessage> & { body?: string } = {},
): WaIncomingMessage {
  const id = fields.id?.id ?? `3EB0${(++messageCounter).toString(16).toUpperCase().padStart(16, '0')}`;
  return {
    type: 'chat',
    body: '',
    fromMe: false,
    isStatus: false,
    broadcast: false,
    ...fields,
    from,
    id: { id, fromMe: fields.fromMe ?? false, _serialized: `${fields.fromMe ? 'true' : 'false'}_${from}_${id}` },
  };
}

export class FakeWhatsAppClient extends EventEmitter implements WaClient {
  info: { wid: { _serialized: string } } | null = null;
  readonly sent: SentRecord[] = [];
  readonly typing: TypingRecord[] = [];
  readonly pairingRequests: string[] = [];
  initializeCalls = 0;
  destroyCalls = 0;
  destroyed = false;
  /** When set, initialize() rejects with it (e.g. WhatsApp unreachable). */
  failInitialize: unknown = null;
  /** When set, sendMessage() rejects with it. */
  failSend: unknown = null;

  constructor(readonly options: ClientOptions) {
    super();
  }

  async initialize(): Promise<void> {
    this.initializeCalls++;
    if (this.failInitialize) throw this.failInitialize;
  }

  async sendMessage(chatId: string, content: unknown, options?: WaSendOptions): Promise<unknown> {
    if (this.destroyed) throw new Error('Protocol error: Target closed');
    if (this.failSend) throw this.failSend;
    this.sent.push({ chatId, content, options, at: Date.now() });
    return { id: { _serialized: `true_${chatId}_${this.sent.length}` } };
  }

  async getChatById(chatId: string): Promise<WaChat> {
    return {
      sendStateTyping: async () => {
        this.typing.push({ chatId, at: Date.now() });
        return true;
      },
    };
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.pairingRequests.push(phoneNumber);
    const code = 'KFNA4321';
    this.emit('code', code);
    return code;
  }

  async destroy(): Promise<void> {
    this.destroyCalls++;
    this.destroyed = true;
  }

  // --- the WhatsApp side, driven by tests ---

  showQr(qr = '2@fakeQrReference,abc,def,ghi'): void {
    this.emit('qr', qr);
  }

  becomeReady(): void {
    this.info = { wid: { _serialized: BOT_ID } };
    this.emit('ready');
  }

  receive(message: WaIncomingMessage): void {
    this.emit('message', message);
  }

  disconnect(reason = 'NAVIGATION'): void {
    this.emit('disconnected', reason);
  }

  /** Texts sent to one chat, in order. */
  textsTo(chatId: string): string[] {
    return this.sent
      .filter((s) => s.chatId === chatId && typeof s.content === 'string')
      .map((s) => s.content as string);
  }
}

/** A client factory that keeps every client it made (a reconnect makes a new one). */
export function fakeClientFactory(setup?: (client: FakeWhatsAppClient, index: number) => void) {
  const clients: FakeWhatsAppClient[] = [];
  const factory = (options: ClientOptions) => {
    const client = new FakeWhatsAppClient(options);
    setup?.(client, clients.length);
    clients.push(client);
    return client;
  };
  return { factory, clients, latest: () => clients[clients.length - 1]! };
}
