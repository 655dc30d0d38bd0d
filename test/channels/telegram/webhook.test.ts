// Webhook mode, mounted on a Hono app served on loopback, with updates posted the way Telegram posts them.
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startUpdate, textUpdate, withUpdateId } from '../../support/bot-api-server.ts';
import { FakeRuntime } from './fake-runtime.ts';
import { type Harness, startHarness } from './harness.ts';

const SECRET = 'webhook-secret-for-tests';

let runtime: FakeRuntime;
let h: Harness;
let http: ServerType;
let url: string;

beforeEach(async () => {
  runtime = new FakeRuntime();
  const app = new Hono();
  // The URL is only known once the HTTP server listens; the handler is looked up per request.
  let handler: ((request: Request) => Promise<Response>) | null = null;
  app.post('/telegram/webhook', (c) => (handler ? handler(c.req.raw) : c.body(null, 503)));
  await new Promise<void>((resolve) => {
    http = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/telegram/webhook`;
  h = await startHarness(runtime, { mode: 'webhook', webhookUrl: url, webhookSecret: SECRET });
  handler = h.channel.webhookHandler;
});

afterEach(async () => {
  await h.close();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

async function post(body: unknown, secret: string | null): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== null) headers['X-Telegram-Bot-Api-Secret-Token'] = secret;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

describe('Telegram webhook', () => {
  it('registers the webhook with its secret instead of polling', async () => {
    expect(h.server.webhook).toEqual({ url, secretToken: SECRET });
    expect(h.server.callsTo('getUpdates')).toEqual([]);
    expect(h.server.callsTo('setWebhook')[0]?.params.allowed_updates).toContain('callback_query');
  });

  it('answers a conversation posted by Telegram', async () => {
    const since = h.server.lastSeq;
    expect(await h.server.deliverWebhook(startUpdate(50))).toBe(200);
    const [welcome] = await h.server.waitForCalls((c) => c.method === 'sendMessage' && c.chatId === '50', 2, { since });
    expect(welcome?.params.text).toContain('Bienvenue');
  });

  it('refuses a request without the right secret', async () => {
    expect(await post(withUpdateId(textUpdate(51, 'x'), 900), 'wrong-secret')).toBe(401);
    expect(await post(withUpdateId(textUpdate(51, 'x'), 901), null)).toBe(401);
    expect(await post(withUpdateId(textUpdate(51, 'x'), 902), `${SECRET}x`)).toBe(401);
    // Then a good one, to know the bad ones had their chance to be processed.
    expect(await post(withUpdateId(textUpdate(51, 'ok'), 903), SECRET)).toBe(200);
    await h.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === '51');
    await h.channel.stop();
    expect(runtime.inputs.map((i) => i.input)).toEqual([{ kind: 'text', text: 'ok' }]);
  });

  it('processes a repeated update_id once', async () => {
    const update = withUpdateId(textUpdate(52, 'une fois'), 777);
    expect(await post(update, SECRET)).toBe(200);
    expect(await post(update, SECRET)).toBe(200);
    expect(await post(update, SECRET)).toBe(200);
    expect(await post(withUpdateId(textUpdate(52, 'suite'), 778), SECRET)).toBe(200);
    await h.server.waitForCalls((c) => c.method === 'sendMessage' && c.chatId === '52', 2);
    await h.channel.stop();
    expect(h.server.textsTo(52)).toEqual(['Tu as écrit : une fois', 'Tu as écrit : suite']);
  });

  it('answers before the work is done', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    runtime.before = () => held;
    expect(await post(withUpdateId(textUpdate(53, 'lent'), 779), SECRET)).toBe(200);
    expect(h.server.textsTo(53)).toEqual([]);
    release();
    await h.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === '53');
  });

  it('keeps one chat in order', async () => {
    runtime.before = async (_chat, input) => {
      if (input.kind === 'text' && input.text === 'a') await new Promise((r) => setTimeout(r, 100));
    };
    for (const [i, text] of ['a', 'b', 'c'].entries()) {
      expect(await post(withUpdateId(textUpdate(54, text), 800 + i), SECRET)).toBe(200);
    }
    const replies = await h.server.waitForCalls((c) => c.method === 'sendMessage' && c.chatId === '54', 3);
    expect(replies.map((c) => c.params.text)).toEqual(['a', 'b', 'c'].map((t) => `Tu as écrit : ${t}`));
  });
});
