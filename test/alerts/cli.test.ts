// `kunnafoni alerts publish FILE [--yes]` and `kunnafoni alerts status ID`, run as staff would run them, on real
// Redis, sending through grammY to the loopback Bot API server.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertsCommand } from '../../src/cli/alerts.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { REPO_ROOT } from '../support/app.ts';
import { TEST_REDIS_URL } from '../support/redis.ts';
import { type AlertsFixture, alertsFixture, deliveries, subscribeMany } from './support/alerts.ts';

class Capture extends Writable {
  text = '';
  isTTY?: boolean;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

type Run = { code: number; out: string; err: string };

describe('kunnafoni alerts', () => {
  let f: AlertsFixture;
  let dir: string;

  beforeEach(async () => {
    f = await alertsFixture();
    dir = await mkdtemp(path.join(tmpdir(), 'kf-alerts-'));
  });
  afterEach(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(
    argv: string[],
    options: { stdin?: string; tty?: boolean; env?: Record<string, string | undefined> } = {},
  ): Promise<Run> {
    const stdout = new Capture();
    const stderr = new Capture();
    if (options.tty) stdout.isTTY = true;
    const stdin = options.stdin === undefined ? new PassThrough() : Readable.from([options.stdin]);
    if (options.stdin === undefined) (stdin as PassThrough).end();
    const io: CliIo = {
      stdin,
      stdout,
      stderr,
      cwd: dir,
      env: {
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: f.prefix,
        KUNNAFONI_ROOT: REPO_ROOT,
        TELEGRAM_BOT_TOKEN: f.server.token,
        TELEGRAM_API_ROOT: f.server.apiRoot,
        ALERTS_RATE_PER_SECOND: '50',
        ...options.env,
      },
    };
    const code = await alertsCommand(argv, io);
    return { code, out: stdout.text, err: stderr.text };
  }

  async function alertFile(name: string, body: string): Promise<string> {
    await writeFile(path.join(dir, name), body);
    return name;
  }

  const GOOD = `id: passports-bamako-1
topics: [documents-passports]
regions: [bamako]
text:
  fr: Les passeports AES sont délivrés à la DGME de Bamako.
  en: AES passports are issued at the DGME in Bamako.
`;

  it('refuses a file with errors, naming each with file:line:col, and sends nothing', async () => {
    const file = await alertFile(
      'bad.yaml',
      'id: bad\ntopics: [documents-passports, weather]\nregions: [bamako, paris]\ntext:\n  en: Hello\n',
    );
    const result = await run(['publish', file, '--yes']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('bad.yaml:2:31 topics.1: unknown alert topic "weather"');
    expect(result.err).toContain('bad.yaml:3:19 regions.1: unknown region "paris"');
    expect(result.err).toContain('bad.yaml:5:3 text.fr: the French text (fr) is required');
    expect(f.server.calls).toHaveLength(0);
  });

  it('shows a preview per language and the audience, and sends nothing when the answer is no', async () => {
    await subscribeMany(f.subscriptions, 2, { topics: ['documents-passports'], region: 'bamako', lang: 'fr' });
    await subscribeMany(f.subscriptions, 1, { topics: ['documents-passports'], region: 'bamako', lang: 'bm' });
    await subscribeMany(f.subscriptions, 4, { topics: ['documents-passports'], region: 'gao', lang: 'en' });
    const file = await alertFile('a.yaml', GOOD);
    const result = await run(['publish', file], { stdin: 'n\n' });

    expect(result.code).toBe(1);
    expect(result.out).toContain('Alert passports-bamako-1');
    expect(result.out).toContain('Regions:   Bamako');
    expect(result.out).toContain(
      '--- fr (French): 2 people ---\nLes passeports AES sont délivrés à la DGME de Bamako.',
    );
    expect(result.out).toContain('--- en (English): 0 people ---\nAES passports are issued at the DGME in Bamako.');
    expect(result.out).toContain(
      '--- bm (Bambara): 1 person, no bm text: they get the French one ---\nLes passeports AES sont délivrés',
    );
    expect(result.out).toContain('Audience: 3 people on Telegram');
    expect(result.out).toContain('Send this alert to 3 people? [y/N]');
    expect(result.out).toContain('Not sent.');
    expect(f.server.calls).toHaveLength(0);
    expect((await run(['status', 'passports-bamako-1'])).code).toBe(1);
  });

  it('publishes after "y", sends from the terminal when no bot runs, shows progress, then the status', async () => {
    const people = await subscribeMany(f.subscriptions, 5, { topics: ['documents-passports'], region: 'bamako' });
    f.server.blockChat(people[0]!.id);
    const file = await alertFile('a.yaml', GOOD);
    const result = await run(['publish', file], { stdin: 'y\n' });

    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('No bot is sending alerts right now: sending from this terminal.');
    expect(result.out).toMatch(/progress 5\/5: sent 4, blocked 1, failed 0, pending 0\n/);
    expect(result.out).toContain('Done: sent 4, blocked 1, failed 0.');
    expect(deliveries(f.server).size).toBe(4);

    const status = await run(['status', 'passports-bamako-1']);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/^Alert passports-bamako-1: done/);
    expect(status.out).toContain(
      'delivered: 4\npending: 0\nfailed: 0\nblocked: 1 (they blocked the bot: unsubscribed)\n',
    );
    expect(status.out).toContain('uncertain: 0\n');
    expect(status.out).not.toContain('waiting');
    const json = JSON.parse((await run(['status', 'passports-bamako-1', '--json'])).out);
    expect(json).toMatchObject({ sent: 4, pending: 0, failed: 0, blocked: 1 });

    // The same id cannot go out twice.
    const again = await run(['publish', file, '--yes']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('an alert with id "passports-bamako-1" was already published');
    expect(deliveries(f.server).size).toBe(4);
  });

  it('draws a progress bar on a terminal', async () => {
    await subscribeMany(f.subscriptions, 3, { topics: ['documents-passports'], region: 'bamako' });
    const result = await run(['publish', await alertFile('a.yaml', GOOD), '--yes'], { tty: true });
    expect(result.code).toBe(0);
    expect(result.out).not.toContain('[y/N]');
    expect(result.out).toContain('\r[##############################] 100%  3/3  sent 3, blocked 0, failed 0');
  });

  it('schedules an alert with a send time and reports it as scheduled', async () => {
    await subscribeMany(f.subscriptions, 2, { topics: ['documents-passports'], region: 'bamako' });
    const later = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16).replace('T', ' ');
    const file = await alertFile('later.yaml', `${GOOD}send_at: ${later}\n`);
    const result = await run(['publish', file, '--yes']);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Scheduled for ${later} GMT.`);
    const status = await run(['status', 'passports-bamako-1']);
    expect(status.out).toContain(`scheduled for ${later} GMT (audience when published: 2)`);
    expect(status.out).toContain('delivered: 0\npending: 2\n');
    // Nothing can send it yet: said plainly.
    expect(status.out).toContain('waiting: Telegram is not connected');
    expect(f.server.calls).toHaveLength(0);
  });

  it('without Telegram configured, says the alert waits for Telegram; with a bot sending, leaves it to the bot', async () => {
    await subscribeMany(f.subscriptions, 2, { topics: ['documents-passports'], region: 'bamako' });
    const waiting = await run(['publish', await alertFile('a.yaml', GOOD), '--yes'], {
      env: { TELEGRAM_BOT_TOKEN: undefined },
    });
    expect(waiting.code).toBe(0);
    expect(waiting.out).toContain('Published. waiting: Telegram is not connected');
    expect(waiting.out).not.toContain('no bot is running');
    const status = await run(['status', 'passports-bamako-1']);
    expect(status.out).toMatch(/^Alert passports-bamako-1: sending|^Alert passports-bamako-1: scheduled/);
    expect(status.out).toContain('waiting: Telegram is not connected');
    expect(f.server.calls).toHaveLength(0);

    // A bot starts with Telegram: the alert goes, and the status stops saying it waits.
    await f.startWorkers();
    const report = await f.finished('passports-bamako-1');
    expect(report).toMatchObject({ sent: 2, pending: 0 });
    const done = await run(['status', 'passports-bamako-1']);
    expect(done.out).not.toContain('waiting');

    // Another alert while that bot runs: this terminal does not send it itself, the bot does.
    const second = await run([
      'publish',
      await alertFile('b.yaml', GOOD.replace('passports-bamako-1', 'passports-2')),
      '--yes',
    ]);
    expect(second.code).toBe(0);
    expect(second.out).not.toContain('sending from this terminal');
    expect(second.out).toContain('Done: sent 2, blocked 0, failed 0.');
  });

  it('explains its usage', async () => {
    expect((await run([])).code).toBe(2);
    const wrong = await run(['send', 'x']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('unknown command "send"');
  });
});
