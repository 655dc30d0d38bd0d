// Effects that survive a crash: a bot process SIGKILLed at each step of the journal of a "send my request" press
// (after the session and journal are committed, after the case is created, after the journal is marked done).
// Another process (or the same one restarted) then gives, for the press sent again, the confirmation of the one
// case; for a person who does not write again, the recovery sweep creates the case and sends the confirmation.
// Goal: 0 lost, 0 duplicated cases, 0 lost confirmations.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { RedisKeys } from '../../src/infra/keys.ts';
import { connectRedis } from '../../src/infra/redis.ts';
import type { OutMessage } from '../../src/ports/out-message.ts';
import { partnersFromContacts } from '../../src/referrals/partners.ts';
import { createReferralService } from '../../src/referrals/service.ts';
import { PrivateRedis } from '../referrals/support/private-redis.ts';
import { REPO_ROOT, shippedBundle, shippedNotices } from '../support/app.ts';

const CHILD = fileURLToPath(new URL('./support/journal-child.ts', import.meta.url));
// '4' talk to a person, need 1, region 1, consent yes, a description, by this chat, no nickname: then "1" sends.
const UP_TO_CONFIRM = ['/start', '1', '4', '1', '1', '1', "On m'a renvoyé hier, j'ai perdu mes papiers", '1', 'passer'];
type Said = string | { choice: string; version: number };
const input = (t: Said) =>
  typeof t !== 'string'
    ? { kind: 'choice', id: t.choice, version: t.version }
    : t === '/start'
      ? { kind: 'start' }
      : { kind: 'text', text: t };
const textOf = (messages: OutMessage[]) => messages.flatMap((m) => [m.title ?? '', ...m.paragraphs]).join('\n');

class Bot {
  private lines: string[] = [];
  private waiters: { prefix: string; resolve: (rest: string) => void }[] = [];
  readonly exited: Promise<string | null>;

  constructor(readonly child: ChildProcess) {
    let buffer = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
        this.lines.push(buffer.slice(0, at));
        buffer = buffer.slice(at + 1);
        this.wake();
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (process.env.KF_DEBUG_CHILD) process.stderr.write(chunk);
    });
    this.exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  }

  static async start(env: Record<string, string>): Promise<Bot> {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, KF_ROOT: REPO_ROOT, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const bot = new Bot(child);
    await bot.next('ready');
    return bot;
  }

  /** The rest of the next line starting with `prefix` (lines already printed included, in order). */
  next(prefix: string): Promise<string> {
    return new Promise((resolve) => {
      this.waiters.push({ prefix, resolve });
      this.wake();
    });
  }

  seen(prefix: string): string[] {
    return this.lines.filter((l) => l.startsWith(`${prefix} `)).map((l) => l.slice(prefix.length + 1));
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) {
      const at = this.lines.findIndex((l) => l === waiter.prefix || l.startsWith(`${waiter.prefix} `));
      if (at < 0) continue;
      const [line] = this.lines.splice(at, 1);
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve((line ?? '').slice(waiter.prefix.length + 1));
    }
  }

  send(chat: string, text: Said): void {
    this.child.stdin?.write(`${JSON.stringify({ chat, input: input(text) })}\n`);
  }

  async say(chat: string, text: Said): Promise<OutMessage[]> {
    this.send(chat, text);
    return JSON.parse(await this.next('reply')) as OutMessage[];
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp() {
  const server = await PrivateRedis.start();
  cleanups.push(() => server.stop());
  const prefix = `jc-${randomBytes(4).toString('hex')}`;
  const env = { KF_REDIS_URL: server.url, KF_PREFIX: prefix };
  const bot = async (extra: Record<string, string> = {}) => {
    const b = await Bot.start({ ...env, ...extra });
    cleanups.push(() => b.kill());
    return b;
  };
  // The test's own view of the cases (same Redis, same secrets as the children).
  const bundle = await shippedBundle();
  const redis = connectRedis({ url: server.url });
  cleanups.push(() => redis.disconnect());
  const referrals = createReferralService({
    notices: await shippedNotices(),
    redis,
    keys: new RedisKeys(prefix),
    cipher: new PersonalDataCipher(devDataKeys('journal-crash')),
    partners: partnersFromContacts(bundle.content.contacts.values()),
    outbox: { send: async () => {} },
    notifier: { notify: async () => {} },
    clock: { now: () => Date.now() },
    options: { fallbackPartner: 'ame', pseudonymSecret: 'journal-crash-pseudonyms' },
  });
  cleanups.push(() => referrals.stop());
  const casesOf = (chat: string) => referrals.openCasesOf({ channel: 'console', id: chat });
  return { server, bot, casesOf, referrals };
}

const CONFIRMATION = /Ta demande est enregistrée\. Ton numéro de dossier : (K-[A-Z0-9]+)/;
const RELAYED = /Message transmis à l'association/;

/**
 * A restarted bot once it has finished what a dead one left: its recovery at start, else its sweep, asked again
 * until the dead process's journal counts as abandoned (a few seconds after it was committed) and `done` holds
 * (by default: it said something, "sent").
 */
async function recoveringBot(
  bot: (env?: Record<string, string>) => Promise<Bot>,
  done: (restarted: Bot, finished: number) => boolean = (restarted) => restarted.seen('sent').length > 0,
): Promise<Bot> {
  const restarted = await bot();
  let finished = Number(await restarted.next('recovered')); // the recovery at start
  const deadline = Date.now() + 30_000;
  while (!done(restarted, finished) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    restarted.child.stdin?.write(`${JSON.stringify({ recover: true })}\n`);
    finished += Number(await restarted.next('recovered'));
  }
  return restarted;
}

/** kunnafoni_replies_total of the bot, as its /metrics would say. */
async function repliesCounted(bot: Bot): Promise<number> {
  bot.child.stdin?.write(`${JSON.stringify({ metrics: true })}\n`);
  return Number(await bot.next('replies'));
}

/** The messages the bot sent itself (through the outbox) and the platform took, as texts, in order. */
const gotBy = (bot: Bot) => bot.seen('got').map((line) => textOf([JSON.parse(line) as OutMessage]));

describe('a bot killed with SIGKILL during the journal of a "send" press', () => {
  it.each(['committed', 'carried', 'delivered', 'finished'] as const)(
    'killed once %s: the "send" button pressed again gets the confirmation of the one case',
    async (step) => {
      const { server, bot, casesOf } = await setUp();
      const doomed = await bot({ KF_KILL_AT: step });
      const chat = `p-${step}`;
      let last: OutMessage[] = [];
      for (const line of UP_TO_CONFIRM) last = await doomed.say(chat, line);
      const send = { choice: 'send', version: last.at(-1)?.version ?? -1 };
      expect(last.at(-1)?.choices?.map((c) => c.id)).toContain('send');
      doomed.send(chat, send);
      expect(await doomed.exited).toBe('SIGKILL');

      const restarted = await bot();
      const again = textOf(await restarted.say(chat, send));
      const no = again.match(CONFIRMATION)?.[1];
      expect(no, again).toBeTruthy();
      expect(again).not.toContain('ancien');
      expect((await casesOf(chat)).map((c) => c.no)).toEqual([no]);
      // Pressed a third time: now an old button (its result was given), never another case.
      expect(textOf(await restarted.say(chat, send))).not.toMatch(CONFIRMATION);
      expect(await casesOf(chat)).toHaveLength(1);
      // And the data survived in Redis's own persistence too.
      await server.restart();
      expect((await casesOf(chat)).map((c) => c.no)).toEqual([no]);
    },
  );

  it('killed once committed, on a text channel: the "1" typed again gets the confirmation of the one case', async () => {
    const { bot, casesOf } = await setUp();
    const doomed = await bot({ KF_KILL_AT: 'committed' });
    const chat = 'p-text';
    for (const line of UP_TO_CONFIRM) await doomed.say(chat, line);
    doomed.send(chat, '1');
    expect(await doomed.exited).toBe('SIGKILL');
    const restarted = await bot();
    // On a busy machine the restart can take longer than a journal takes to count as abandoned: the recovery at
    // start then sends the confirmation ("sent"), and the "1" answers the menu shown with it. Either way, once.
    const recovered = restarted.seen('sent').map((line) => textOf(JSON.parse(line) as OutMessage[]));
    const said = [...recovered, textOf(await restarted.say(chat, '1'))].filter((text) => CONFIRMATION.test(text));
    expect(said).toHaveLength(1);
    const no = said[0]?.match(CONFIRMATION)?.[1];
    expect(no).toBeTruthy();
    // A "1" typed after that answers the menu shown with the confirmation: no second case, no replay.
    expect(textOf(await restarted.say(chat, '1'))).not.toMatch(CONFIRMATION);
    expect((await casesOf(chat)).map((c) => c.no)).toEqual([no]);
  });

  it('not killed: a "1" typed at the menu after the confirmation answers the menu', async () => {
    const { bot, casesOf } = await setUp();
    const alive = await bot();
    const chat = 'p-alive';
    let received = 0;
    for (const line of UP_TO_CONFIRM) received += (await alive.say(chat, line)).length;
    const confirmed = await alive.say(chat, '1');
    received += confirmed.length;
    expect(textOf(confirmed)).toMatch(CONFIRMATION);
    // Every message the person received is counted once, the confirmation sent through the outbox included.
    alive.child.stdin?.write(`${JSON.stringify({ metrics: true })}\n`);
    expect(Number(await alive.next('replies'))).toBe(received);
    expect(textOf(await alive.say(chat, '1'))).not.toMatch(CONFIRMATION);
    expect(await casesOf(chat)).toHaveLength(1);
  });

  it('killed after the commit, the person silent: the restarted bot creates the case and sends the confirmation', async () => {
    const { bot, casesOf } = await setUp();
    const doomed = await bot({ KF_KILL_AT: 'committed' });
    const chat = 'p-silent';
    for (const line of UP_TO_CONFIRM) await doomed.say(chat, line);
    doomed.send(chat, '1');
    expect(await doomed.exited).toBe('SIGKILL');
    expect(await casesOf(chat)).toHaveLength(0);

    // The dead process's lock expires within 2 s; its journal is finished by the recovery at start (or the sweep).
    const restarted = await recoveringBot(bot);
    const sent = JSON.parse(restarted.seen('sent')[0] ?? '[]') as OutMessage[];
    const no = textOf(sent).match(CONFIRMATION)?.[1];
    expect(no).toBeTruthy();
    expect((await casesOf(chat)).map((c) => c.no)).toEqual([no]);
    // A "1" typed afterwards answers the menu: no second case.
    await restarted.say(chat, '1');
    expect(await casesOf(chat)).toHaveLength(1);
  });

  it('another process running already answers the person within about 2 s of the kill (the lock’s lifetime)', async () => {
    const { bot, casesOf } = await setUp();
    const other = await bot();
    const doomed = await bot({ KF_KILL_AT: 'committed' });
    const chat = 'p-takeover';
    for (const line of UP_TO_CONFIRM) await doomed.say(chat, line);
    doomed.send(chat, '1');
    // It died holding the chat's lock, its journal committed and not carried out.
    expect(await doomed.exited).toBe('SIGKILL');
    const killedAt = Date.now();
    const reply = textOf(await other.say(chat, '1'));
    const waitedMs = Date.now() - killedAt;
    expect(reply).toMatch(CONFIRMATION);
    expect(await casesOf(chat)).toHaveLength(1);
    // 15 s before the lock was short and renewed; now its 2 s lifetime plus the turn (bounded loosely: busy CI).
    expect(waitedMs).toBeLessThan(6_000);
  });

  it.each(['carried', 'delivered', 'finished'] as const)(
    'killed %s on a text channel, the person silent: the confirmation reaches them once, for one case',
    async (step) => {
      const { bot, casesOf } = await setUp();
      const doomed = await bot({ KF_KILL_AT: step });
      const chat = `p-text-${step}`;
      for (const line of UP_TO_CONFIRM) await doomed.say(chat, line);
      doomed.send(chat, '1');
      expect(await doomed.exited).toBe('SIGKILL');
      // Sent through the outbox before the journal is marked done: the person has it once it was "delivered".
      const before = gotBy(doomed);
      expect(before.some((text) => CONFIRMATION.test(text))).toBe(step !== 'carried');
      let restarted: Bot;
      if (step === 'carried') {
        // Not marked done, nothing sent: the restarted process carries it out again (the same case) and says it.
        restarted = await recoveringBot(bot);
        expect(textOf(JSON.parse(restarted.seen('sent')[0] ?? '[]') as OutMessage[])).toMatch(CONFIRMATION);
      } else {
        // Every message answered and marked (killed before the journal was marked done, or after): a restarted
        // process finishes the journal, if anything is left of it, without sending the reply again.
        restarted = await recoveringBot(bot, (_, finished) => step === 'finished' || finished > 0);
        expect(restarted.seen('sent')).toEqual([]);
      }
      const said = [...before, ...gotBy(restarted)];
      expect(said.filter((text) => CONFIRMATION.test(text))).toHaveLength(1);
      // Counted where it was sent: the restarted process counts only what it sent itself.
      expect(await repliesCounted(restarted)).toBe(gotBy(restarted).length);
      const cases = await casesOf(chat);
      expect(cases).toHaveLength(1);
      expect(said.find((text) => CONFIRMATION.test(text))?.match(CONFIRMATION)?.[1]).toBe(cases[0]?.no);
    },
  );

  // The reply to the "send" is the confirmation, then the menu: killed while one of them is on its way.
  it.each([1, 2])(
    'killed with message %i of the confirmation in flight: a restart sends only what has no recorded answer',
    async (inflight) => {
      const { bot, casesOf } = await setUp();
      const doomed = await bot({ KF_KILL_AT: `inflight:${inflight}` });
      const chat = `p-inflight-${inflight}`;
      for (const line of UP_TO_CONFIRM) await doomed.say(chat, line);
      doomed.send(chat, '1');
      expect(await doomed.exited).toBe('SIGKILL');
      const before = gotBy(doomed);
      expect(before).toHaveLength(inflight);
      const restarted = await recoveringBot(bot);
      const after = gotBy(restarted);
      // The message in flight at the kill, and those after it; never one the platform had answered.
      expect(after).toHaveLength(3 - inflight);
      expect(after[0]).toBe(before[inflight - 1]);
      const said = [...before.slice(0, inflight - 1), ...after];
      expect(said[0]).toMatch(CONFIRMATION);
      expect(said[1]).toContain('Que veux-tu faire ?');
      expect(await repliesCounted(restarted)).toBe(after.length);
      expect(await casesOf(chat)).toHaveLength(1);
    },
  );
});

describe('a bot killed during the journal of a message relayed to staff', () => {
  // 'notify': killed as staff are being told, after the message was added to the case.
  it.each(['committed', 'notify', 'carried', 'delivered'] as const)(
    'killed %s: staff get the message once, and the person hears it was passed on',
    async (step) => {
      const { bot, casesOf, referrals } = await setUp();
      const alive = await bot();
      const chat = `p-relay-${step}`;
      for (const line of UP_TO_CONFIRM) await alive.say(chat, line);
      const no = textOf(await alive.say(chat, '1')).match(CONFIRMATION)?.[1];
      expect(no).toBeTruthy();
      const awa = { id: 'web:awa', partner: (await casesOf(chat))[0]?.partner ?? '' };
      expect(await referrals.claim(no!, awa)).toMatchObject({ ok: true });
      await alive.kill();

      const doomed = await bot({ KF_KILL_AT: step });
      const text = 'Je suis à la gare routière de Sogoniko';
      doomed.send(chat, text);
      expect(await doomed.exited).toBe('SIGKILL');
      // Killed once its reply was sent and marked answered: nothing more to say, only the journal to finish.
      const restarted = await recoveringBot(bot, step === 'delivered' ? (_, finished) => finished > 0 : undefined);
      const said = [...doomed.seen('sent'), ...restarted.seen('sent')].map((l) => textOf(JSON.parse(l)));
      expect(said.some((t) => RELAYED.test(t))).toBe(true);

      const told = [...doomed.seen('staff'), ...restarted.seen('staff')].map((l) => JSON.parse(l));
      expect(told).toEqual([{ no, text }]);
      const details = await referrals.details(no!, awa);
      expect('messages' in details && details.messages.map((m) => m.text)).toEqual([text]);
    },
  );
});
