// The reply's JSON calls sent without grammY's per-call machinery (bot-api-json-call.ts) keep grammY's outcomes: the
// same JSON body (null members left out), Telegram's refusal as a GrammyError, a lost connection or no answer
// within the timeout as an HttpError, and the retries of the transformers around it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, GrammyError, HttpError } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { botApiFetch } from '../../../src/channels/telegram/bot-api-fetch.ts';
import { directJsonCalls } from '../../../src/channels/telegram/bot-api-json-call.ts';
import { retryTransformer } from '../../../src/channels/telegram/errors.ts';

let server: Server | null = null;
afterEach(async () => {
  viaGrammy = [];
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

type Handler = Parameters<typeof createServer>[1];
async function serve(handler: Handler): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Calls that went through grammY's own client (its `fetch`) rather than the direct path. */
let viaGrammy: string[] = [];

function apiOf(apiRoot: string, timeoutSeconds = 60): Api {
  const counted = (url: string, init: unknown) => {
    viaGrammy.push(url.slice(url.lastIndexOf('/') + 1));
    return botApiFetch(url, init as Parameters<typeof botApiFetch>[1]);
  };
  const api = new Api('1:t', { apiRoot, fetch: counted as unknown as typeof fetch });
  api.config.use(directJsonCalls({ token: '1:t', apiRoot, timeoutSeconds }));
  return api;
}

const SENT = { ok: true, result: { message_id: 7, date: 0, chat: { id: 1, type: 'private' }, text: 'é' } };

describe('direct JSON calls of the reply', () => {
  it('posts the same JSON as grammY to the method URL and returns the answer', async () => {
    const seen: { url: string; type: string; body: string }[] = [];
    const apiRoot = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', type: req.headers['content-type'] ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(req.url?.endsWith('/answerCallbackQuery') ? { ok: true, result: true } : SENT));
      });
    });
    const api = apiOf(apiRoot);
    const keyboard = { inline_keyboard: [[{ text: 'Oui', callback_data: 'c:1:yes' }]] };
    const sent = await api.sendMessage(1, 'Bonjour, ça va ?', {
      parse_mode: 'HTML',
      reply_markup: keyboard,
      // A null member is left out, as grammY does.
      message_thread_id: null as unknown as number,
    });
    expect(sent.message_id).toBe(7);
    expect(await api.answerCallbackQuery('q1')).toBe(true);
    expect(seen.map((s) => s.url)).toEqual(['/bot1:t/sendMessage', '/bot1:t/answerCallbackQuery']);
    expect(seen[0]!.type).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({
      chat_id: 1,
      text: 'Bonjour, ça va ?',
      parse_mode: 'HTML',
      reply_markup: keyboard,
    });
    expect(JSON.parse(seen[1]!.body)).toEqual({ callback_query_id: 'q1' });
    // Neither went through grammY's client; another method still does.
    expect(viaGrammy).toEqual([]);
    await api.getMe().catch(() => undefined);
    expect(viaGrammy).toEqual(['getMe']);
  });

  it("gives Telegram's refusal back as a GrammyError", async () => {
    const apiRoot = await serve((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }));
    });
    const refused = await apiOf(apiRoot)
      .sendMessage(1, 'x')
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GrammyError);
    expect((refused as GrammyError).error_code).toBe(403);
  });

  it('throws an HttpError for a lost connection, which the retry transformer retries', async () => {
    let attempts = 0;
    let cutNext = 0;
    const apiRoot = await serve((req, res) => {
      attempts += 1;
      if (cutNext > 0) {
        // Lost before any answer.
        cutNext -= 1;
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(SENT));
    });
    cutNext = 1;
    const lost = await apiOf(apiRoot)
      .sendMessage(1, 'x')
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(HttpError);
    expect((lost as HttpError).message).toBe("Network request for 'sendMessage' failed!");
    cutNext = 1;
    attempts = 0;
    const retried = apiOf(apiRoot);
    retried.config.use(retryTransformer({ baseDelayMs: 1, maxDelayMs: 2 }));
    expect((await retried.sendMessage(1, 'x')).message_id).toBe(7);
    expect(attempts).toBe(2);
  });

  it('gives up after the timeout with an HttpError, and cuts the connection', async () => {
    let closed = false;
    const apiRoot = await serve((req) => {
      req.socket.once('close', () => {
        closed = true;
      });
      // Never answered.
    });
    const late = await apiOf(apiRoot, 0.05)
      .sendMessage(1, 'x')
      .catch((e: unknown) => e);
    expect(late).toBeInstanceOf(HttpError);
    expect(String((late as HttpError).error)).toContain("Request to 'sendMessage' timed out after 0.05 seconds");
    await expect.poll(() => closed).toBe(true);
  });
});
