// The loopback Bot API server behaves like Telegram where the bot and the alerts tests rely on it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot, GrammyError, InputFile } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotApiServer, callbackUpdate, startUpdate, textUpdate } from '../../support/bot-api-server.ts';

let server: BotApiServer;
let bot: Bot;

beforeEach(async () => {
  server = await BotApiServer.start();
  bot = new Bot(server.token, { client: { apiRoot: server.apiRoot } });
});

afterEach(async () => {
  await server.close();
});

describe('loopback Bot API server', () => {
  it('answers getMe and records the call', async () => {
    const me = await bot.api.getMe();
    expect(me.username).toBe(server.botUsername);
    expect(server.callsTo('getMe')).toHaveLength(1);
  });

  it('rejects a wrong token with 401', async () => {
    const other = new Bot('1:wrong', { client: { apiRoot: server.apiRoot } });
    await expect(other.api.getMe()).rejects.toMatchObject({ error_code: 401 });
  });

  it('delivers queued updates and forgets those below the confirmed offset', async () => {
    server.push(textUpdate(1, 'a'), textUpdate(1, 'b'), startUpdate(2, 'faq-visa'));
    const first = await bot.api.getUpdates({ offset: 0, limit: 2, timeout: 0 });
    expect(first.map((u) => u.message?.text)).toEqual(['a', 'b']);
    const next = await bot.api.getUpdates({ offset: (first[1]?.update_id ?? 0) + 1, timeout: 0 });
    expect(next.map((u) => u.message?.text)).toEqual(['/start faq-visa']);
    expect(next[0]?.message?.entities?.[0]).toMatchObject({ type: 'bot_command', offset: 0, length: 6 });
    expect(server.pendingUpdates).toBe(1);
    await bot.api.getUpdates({ offset: (next[0]?.update_id ?? 0) + 1, timeout: 0 });
    expect(server.pendingUpdates).toBe(0);
  });

  it('holds a long poll until an update arrives', async () => {
    const polling = bot.api.getUpdates({ offset: 0, timeout: 30 });
    await server.waitForCall((c) => c.method === 'getUpdates');
    server.push(callbackUpdate(5, 'c:3:yes'));
    const updates = await polling;
    expect(updates[0]?.callback_query?.data).toBe('c:3:yes');
  });

  it('answers 429 with retry_after, then succeeds', async () => {
    server.failNext({ status: 429, retryAfter: 2 }, { method: 'sendMessage' });
    const error = await bot.api.sendMessage(7, 'hi').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).parameters.retry_after).toBe(2);
    await bot.api.sendMessage(7, 'hi');
    expect(server.textsTo(7)).toEqual(['hi']);
    expect(server.stats.rateLimited).toBe(1);
  });

  it('answers 403 for a blocked chat only', async () => {
    server.blockChat(8);
    await expect(bot.api.sendMessage(8, 'x')).rejects.toMatchObject({
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    await bot.api.sendMessage(9, 'y');
    expect(server.textsTo(9)).toEqual(['y']);
  });

  it('answers 500 on demand', async () => {
    server.failNext({ status: 500 }, { method: 'sendMessage', times: 2 });
    await expect(bot.api.sendMessage(1, 'a')).rejects.toMatchObject({ error_code: 500 });
    await expect(bot.api.sendMessage(1, 'a')).rejects.toMatchObject({ error_code: 500 });
    await bot.api.sendMessage(1, 'a');
    expect(server.callsTo('sendMessage').map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('accepts multipart uploads and records the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kf-voice-'));
    try {
      const path = join(dir, 'answer.ogg');
      await writeFile(path, Buffer.alloc(1234, 1));
      await bot.api.sendVoice(3, new InputFile(path), { caption: 'Réponse <b>' });
      const [call] = server.callsTo('sendVoice');
      expect(call?.chatId).toBe('3');
      expect(call?.params.caption).toBe('Réponse <b>');
      expect(call?.files).toEqual([{ field: 'voice', filename: 'answer.ogg', size: 1234 }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('enforces one message per second per chat and a global rate', async () => {
    server.setRateLimit({ globalPerSecond: 3 });
    await bot.api.sendMessage(1, 'a');
    await expect(bot.api.sendMessage(1, 'b')).rejects.toMatchObject({ error_code: 429 });
    await bot.api.sendMessage(2, 'a');
    await bot.api.sendMessage(3, 'a');
    await expect(bot.api.sendMessage(4, 'a')).rejects.toMatchObject({ error_code: 429 });
    expect(server.stats.delivered).toBe(3);
    expect(server.stats.rateLimited).toBe(2);
  });

  it('counts calls made before an announced retry_after ran out', async () => {
    server.failNext({ status: 429, retryAfter: 30 }, { method: 'sendMessage' });
    await expect(bot.api.sendMessage(1, 'a')).rejects.toMatchObject({ error_code: 429 });
    await bot.api.sendMessage(1, 'a');
    expect(server.stats.retryAfterViolations).toBe(1);
  });
});
