// The audio page in Debian's Chromium (headless, playwright-core) on a phone-sized screen: the <audio> element of a
// recording loads the file from the console (the page's CSP allows media from itself), an admin approves it with the
// button, and an upload from the file picker is converted and shows as recorded.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AudioLibrary } from '../../src/audio/library.ts';
import { type Console, createConsole, PASSWORD } from '../staff/support/console.ts';
import { shippedBundle } from '../support/app.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { tone } from './support.ts';

let k: Console;
let r: TestRedis;
let library: AudioLibrary;
let dataDir: string;
let browser: Browser;
let base: string;

beforeAll(async () => {
  r = await testRedis();
  dataDir = await mkdtemp(path.join(tmpdir(), 'kf-voice-browser-'));
  library = await AudioLibrary.open({
    redis: r.redis,
    keys: r.keys,
    dataDir,
    content: (await shippedBundle()).content,
  });
  k = await createConsole({ audio: library });
  const { port } = await k.server.listen();
  base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await k?.close();
  await r?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

test('an admin plays the Bambara welcome in the matrix, approves it, and uploads the menu', async () => {
  await library.saveVoiceNote('welcome', 'bm', await tone(2), 'telegram:abc');
  const admin = await k.account('Fatoumata Koné', 'ame', 'admin');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR', isMobile: true });
  const page = await context.newPage();
  const elsewhere: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith(base)) elsewhere.push(req.url());
  });
  await page.goto(`${base}/audio`);
  await page.fill('#login', admin.id);
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForURL(`${base}/audio`);

  const cell = page.locator('#cell-welcome-bm');
  expect(await cell.locator('.tag').textContent()).toBe('enregistré');
  // The browser fetches and decodes the file: its duration is the recording's.
  const duration = await cell.locator('audio').evaluate(
    (audio: HTMLAudioElement) =>
      new Promise<number>((resolve, reject) => {
        audio.addEventListener('loadedmetadata', () => resolve(audio.duration), { once: true });
        audio.addEventListener('error', () => reject(new Error(`media error ${audio.error?.code}`)), { once: true });
        audio.preload = 'metadata';
        audio.load();
      }),
  );
  expect(duration).toBeCloseTo(2, 1);

  await cell.locator('a').click();
  await page.waitForURL(`${base}/audio/welcome/bm`);
  await page.locator('form[action="/audio/welcome/bm/approve"] button').click();
  await page.waitForURL(`${base}/audio/welcome/bm?done=approved`);
  expect(await page.locator('.flash').textContent()).toContain('Enregistrement approuvé');

  await page.goto(`${base}/audio/menu/bm`);
  const dir = await mkdtemp(path.join(tmpdir(), 'kf-voice-upload-'));
  try {
    const file = path.join(dir, 'menu.mp3');
    await writeFile(file, await tone(1.5, 'mp3'));
    await page.setInputFiles('#file', file);
    await page.locator('form[action="/audio/menu/bm/upload"] button').click();
    await page.waitForURL(`${base}/audio/menu/bm?done=saved`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  expect(await page.locator('#length').textContent()).toBe('1.5 s');
  await page.goto(`${base}/audio`);
  expect(await page.locator('#cell-welcome-bm .tag').textContent()).toBe('approuvé');
  expect(await page.locator('#cell-menu-bm .tag').textContent()).toBe('enregistré');
  expect(elsewhere).toEqual([]);
  await context.close();
});
