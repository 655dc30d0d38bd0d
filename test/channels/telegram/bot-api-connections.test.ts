// The Bot API client's own keep-alive connections (bot-api-connections.ts) under grammY: calls share a connection,
// whatever way the server frames its answer (a length, chunks, the end of the connection), a connection the server
// closed is replaced, a broken answer fails the call, and over TLS the server's certificate is checked.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { Api, HttpError } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { botApiFetch } from '../../../src/channels/telegram/bot-api-fetch.ts';

const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'tls');
const cert = readFileSync(path.join(fixtures, 'localhost-cert.pem'), 'utf8');
const key = readFileSync(path.join(fixtures, 'localhost-key.pem'), 'utf8');

const servers: (Server | TcpServer)[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const message = { message_id: 7, date: 0, chat: { id: 1, type: 'private' }, text: 'é' };
const answer = JSON.stringify({ ok: true, result: message });

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A Bot API stand-in; `connections` counts the TCP connections it was given. */
async function serve(handler: Handler, secure = false) {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, res, body));
  };
  const server = secure ? createHttpsServer({ cert, key }, onRequest) : createHttpServer(onRequest);
  servers.push(server);
  const seen = { connections: 0 };
  server.on(secure ? 'secureConnection' : 'connection', () => seen.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, seen, apiRoot: `${secure ? 'https://localhost' : 'http://127.0.0.1'}:${port}` };
}

/** A server that answers every request with `raw` bytes as they are. */
async function serveRaw(raw: (socket: Socket) => void): Promise<string> {
  const server = createTcpServer((socket) => socket.once('data', () => raw(socket)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const apiOf = (apiRoot: string) => new Api('1:t', { apiRoot, fetch: botApiFetch as unknown as typeof fetch });

describe('Bot API connections', () => {
  it('sends calls one after the other on one connection, the JSON body and its length intact', async () => {
    const bodies: string[] = [];
    const { apiRoot, seen } = await serve((_req, res, body) => {
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
    const api = apiOf(apiRoot);
    for (const text of ['Bonjour, ça va ?', 'I ni ce — ɛ ɔ ɲ', 'x'.repeat(5_000)]) {
      expect((await api.sendMessage(1, text)).text).toBe('é');
    }
    expect(bodies.map((b) => JSON.parse(b).text)).toEqual(['Bonjour, ça va ?', 'I ni ce — ɛ ɔ ɲ', 'x'.repeat(5_000)]);
    expect(seen.connections).toBe(1);
  });

  it('opens as many connections as calls in flight, then reuses them', async () => {
    const held: ServerResponse[] = [];
    const { apiRoot, seen } = await serve((_req, res) => {
      held.push(res);
      // The three calls are all in flight before any is answered.
      if (held.length === 3) for (const r of held.splice(0)) r.end(answer);
      if (seen.connections > 3) res.end(answer);
    });
    const api = apiOf(apiRoot);
    await Promise.all([api.sendMessage(1, 'a'), api.sendMessage(1, 'b'), api.sendMessage(1, 'c')]);
    await Promise.all([api.sendMessage(1, 'a'), api.sendMessage(1, 'b'), api.sendMessage(1, 'c')]);
    expect(seen.connections).toBe(3);
  });

  it('reads a chunked answer and a refusal', async () => {
    const { apiRoot } = await serve((_req, res, body) => {
      if (body.includes('refuse')) {
        res.writeHead(400).end(JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: no' }));
        return;
      }
      // No length: node:http sends it in chunks.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(answer.slice(0, 10));
      setImmediate(() => res.end(answer.slice(10)));
    });
    const api = apiOf(apiRoot);
    expect((await api.sendMessage(1, 'a')).message_id).toBe(7);
    await expect(api.sendMessage(1, 'refuse')).rejects.toThrow('Bad Request: no');
    expect((await api.sendMessage(1, 'b')).message_id).toBe(7);
  });

  it('replaces a connection the server closed, after its answer or while idle', async () => {
    let calls = 0;
    const { apiRoot, seen, server } = await serve((_req, res) => {
      calls++;
      if (calls === 1) res.setHeader('connection', 'close');
      res.end(answer);
    });
    const api = apiOf(apiRoot);
    await api.sendMessage(1, 'a');
    await api.sendMessage(1, 'b');
    expect(seen.connections).toBe(2);
    // The client learns of the close when it arrives; a call in that instant may fail (as with node:http).
    server.closeIdleConnections();
    await expect.poll(async () => (await api.sendMessage(1, 'c')).message_id).toBe(7);
  });

  it('reads an answer whose end is the end of the connection', async () => {
    const apiRoot = await serveRaw((socket) => {
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${answer}`);
    });
    const api = apiOf(apiRoot);
    expect((await api.sendMessage(1, 'a')).message_id).toBe(7);
    expect((await api.sendMessage(1, 'b')).message_id).toBe(7);
  });

  it('does not reuse an HTTP/1.0 connection that did not ask to be kept', async () => {
    let connections = 0;
    const apiRoot = await serveRaw((socket) => {
      connections++;
      // Answered once, left open: a second call on it would wait forever.
      socket.write(
        `HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(answer)}\r\n\r\n${answer}`,
      );
    });
    const api = apiOf(apiRoot);
    expect((await api.sendMessage(1, 'a')).message_id).toBe(7);
    expect((await api.sendMessage(1, 'b')).message_id).toBe(7);
    expect(connections).toBe(2);
  });

  it('fails the call (a network error, which grammY may retry) when the connection breaks mid-answer', async () => {
    const apiRoot = await serveRaw((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${answer.length}\r\n\r\n${answer.slice(0, 5)}`);
      socket.destroy();
    });
    await expect(apiOf(apiRoot).sendMessage(1, 'a')).rejects.toBeInstanceOf(HttpError);
  });

  it('checks the TLS certificate: refused when not trusted, answered once it is', async () => {
    const { apiRoot } = await serve((_req, res) => res.end(answer), true);
    const api = apiOf(apiRoot);
    const refused = await api.sendMessage(1, 'a').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(String((refused as HttpError).error)).toMatch(/certificate/);
    const trusted = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...trusted, cert]);
    try {
      expect((await api.sendMessage(1, 'b')).message_id).toBe(7);
      expect((await api.sendMessage(1, 'c')).message_id).toBe(7);
    } finally {
      tls.setDefaultCACertificates(trusted);
    }
  });
});
