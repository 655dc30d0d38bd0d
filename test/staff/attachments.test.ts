// Files a person sent, opened by the partner's own staff in the console through Telegram's getFile and file
// download (a loopback Bot API answering those two calls), with an entry in the partner's audit log.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot } from 'grammy';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { telegramAttachments } from '../../src/channels/telegram/staff/attachments.ts';
import { Client, type Console, createConsole, errorOf } from './support/console.ts';

const TOKEN = '123456:TEST-token';
const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
const FILE_ID = 'AgACAgQAAxkBAAIBPhotoOfPapers';

let k: Console;
let api: Server;
const asked: string[] = [];

beforeEach(async () => {
  asked.length = 0;
  api = createServer((req, res) => {
    asked.push(req.url ?? '');
    if (req.url?.startsWith(`/bot${TOKEN}/getFile`)) {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const fileId = JSON.parse(body || '{}').file_id;
        res.setHeader('content-type', 'application/json');
        if (fileId !== FILE_ID)
          return res.end(JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: invalid file_id' }));
        res.end(
          JSON.stringify({
            ok: true,
            result: { file_id: FILE_ID, file_unique_id: 'u1', file_size: PHOTO.length, file_path: 'photos/file_1.jpg' },
          }),
        );
      });
      return;
    }
    if (req.url === `/file/bot${TOKEN}/photos/file_1.jpg`) return res.end(PHOTO);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiRoot = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const bot = new Bot(TOKEN, { client: { apiRoot } });
  k = await createConsole({ attachments: { telegram: telegramAttachments(() => bot.api, { apiRoot, token: TOKEN }) } });
});
afterEach(async () => {
  await k.close();
  await new Promise((resolve) => api.close(resolve));
});

test("the partner's staff open the person's photo; another partner's staff get the missing-case answer", async () => {
  const awa = await k.account('Awa', 'ame');
  const { no } = await k.openCase({ nickname: 'Fanta', description: 'Mes papiers', description_media: FILE_ID });
  const c = new Client(k.app, undefined, '10.4.4.1');
  await c.login(awa.id);
  expect((await c.page(`/cases/${no}`)).html).toContain(`href="/cases/${no}/attachments"`);
  const files = await c.page(`/cases/${no}/attachments`);
  expect(files.html).toContain(`href="/cases/${no}/attachments/0"`);
  const res = await c.get(`/cases/${no}/attachments/0`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/jpeg');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(Buffer.from(await res.arrayBuffer())).toEqual(PHOTO);
  expect((await c.get(`/cases/${no}/attachments/1`)).status).toBe(404);

  const moussa = await k.account('Moussa', 'aracem');
  const other = new Client(k.app, undefined, '10.4.4.2');
  await other.login(moussa.id);
  const before = asked.length;
  const refused = await other.get(`/cases/${no}/attachments/0`);
  expect(refused.status).toBe(404);
  expect(errorOf(await refused.text())).toContain('This case does not exist.');
  expect(asked).toHaveLength(before);

  const admin = await k.account('Directrice', 'ame', 'admin');
  const boss = new Client(k.app, undefined, '10.4.4.3');
  await boss.login(admin.id);
  expect((await boss.page('/audit')).html).toContain('opened a file the person sent');
});
