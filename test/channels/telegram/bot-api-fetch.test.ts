// The Bot API client under grammY: answers (errors included) reach grammY as JSON, and a call grammY gives up on
// (its timeout, or the runner stopping a long poll) is cut at once instead of holding the connection.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { botApiFetch } from '../../../src/channels/telegram/bot-api-fetch.ts';

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('Bot API client', () => {
  it("gives grammY the server's answer, a refusal as well", async () => {
    const bodies: string[] = [];
    const apiRoot = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        bodies.push(body);
        const refused = body.includes('"refuse"');
        res.writeHead(refused ? 400 : 200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            refused
              ? { ok: false, error_code: 400, description: 'Bad Request: chat not found' }
              : { ok: true, result: { message_id: 7, date: 0, chat: { id: 1, type: 'private' }, text: 'é' } },
          ),
        );
      });
    });
    const api = new Api('1:t', { apiRoot, fetch: botApiFetch as unknown as typeof fetch });
    expect((await api.sendMessage(1, 'Bonjour, ça va ?')).message_id).toBe(7);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ chat_id: 1, text: 'Bonjour, ça va ?' });
    await expect(api.sendMessage(1, 'refuse')).rejects.toThrow('chat not found');
  });

  it('cuts a call that is aborted while the server has not answered', async () => {
    let closed = false;
    const controller = new AbortController();
    // Aborted once the server holds the call (a long poll), as grammY's timeout or the runner's stop does.
    const apiRoot = await serve((req) => {
      req.socket.once('close', () => {
        closed = true;
      });
      controller.abort();
    });
    const api = new Api('1:t', { apiRoot, fetch: botApiFetch as unknown as typeof fetch });
    const call = api.getUpdates({ timeout: 30 }, controller.signal as unknown as Parameters<Api['getUpdates']>[1]);
    await expect(call).rejects.toThrow();
    await expect.poll(() => closed).toBe(true);
  });
});
