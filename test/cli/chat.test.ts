// `printf '...' | npx kunnafoni chat --lang fr`: the real CLI, flows and runtime, driven line by line.
// The chat runs the services of `npm start` on Redis: a referral gets a real case number and its status, alerts are
// subscribed for real, EFFACER erases for real (each line sent once the previous reply is printed, as a person would).
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/app.ts';
import { deleteKeys, TEST_REDIS_URL, testRedis } from '../support/redis.ts';

const prefix = `chat-svc-${process.pid}`;
let dataDir = '';
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  const r = await testRedis();
  await deleteKeys(r.redis, `{${prefix}}*`);
  await r.cleanup();
});

/** A terminal chat whose replies are awaited: `say` sends a line and resolves with the reply that matches. */
class TerminalChat {
  out = '';
  err = '';
  private waiters: { from: number; match: RegExp; resolve: (text: string) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
      this.check();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.err += d;
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const w of this.waiters.splice(0)) w.resolve(this.out.slice(w.from));
    });
  }

  /** Output printed from now on, up to a complete reply (a blank line after the text) matching `match`. */
  next(match: RegExp): Promise<string> {
    const from = this.out.length;
    return new Promise((resolve, reject) => {
      // A safety net only (the reply is awaited on output events): it names what never came.
      const timer = setTimeout(
        () => reject(new Error(`no reply matching ${match}; got:\n${this.out.slice(from)}`)),
        20_000,
      );
      this.waiters.push({
        from,
        match,
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
      });
      this.check();
    });
  }

  async say(line: string, match: RegExp): Promise<string> {
    const reply = this.next(match);
    this.child.stdin.write(`${line}\n`);
    return reply;
  }

  private check(): void {
    for (const w of [...this.waiters]) {
      const text = this.out.slice(w.from);
      const m = w.match.exec(text);
      // The reply is complete once the message holding the match is followed by its blank line.
      if (m && text.indexOf('\n\n', m.index) >= 0) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(text);
      }
    }
  }
}

async function startChat(args: string[]): Promise<TerminalChat> {
  dataDir ||= await mkdtemp(path.join(tmpdir(), 'kf-chat-'));
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/kunnafoni.js'), 'chat', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, KUNNAFONI_DATA_DIR: dataDir },
    stdio: 'pipe',
  });
  children.push(child);
  return new TerminalChat(child);
}

const MENU = /Que veux-tu faire \?/;

function chat(lines: string[], args: string[] = []) {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/kunnafoni.js'), 'chat', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix },
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { out: result.stdout, err: result.stderr, code: result.status };
}

describe('kunnafoni chat (stdin not a terminal)', () => {
  it('walks from the menu through a topic to an answer with its sources, then back to the menu', () => {
    const { out, code } = chat(['1', '2', '1', 'oui'], ['--lang', 'fr']);
    expect(code).toBe(0);
    // Menu, as numbered lines with how to answer.
    expect(out).toContain('1. Connaître mes droits');
    expect(out).toContain('Réponds 1, 2, 3, 4, 5, 6 ou 7.');
    // Topic "Arrêté ou expulsé", then its first question, then the answer with sources and review date.
    expect(out).toContain('Choisis une question.');
    expect(out).toMatch(/== .+ ==/);
    expect(out).toMatch(/Source : .+ · vérifié le \d{1,2}(er)? \S+ 20\d\d/);
    expect(out).toContain('Est-ce que cette réponse t’aide ?'.replace('’', "'"));
    expect(out).toContain('Tant mieux ! Voici le menu.');
  });

  it('asks the language first without --lang, and understands a language name', () => {
    const { out } = chat(['english', 'help']);
    expect(out).toContain('Choisis ta langue.');
    expect(out).toContain('What do you want to do? You can also type your question.');
    expect(out).toContain('Useful words: MENU, HELP, LANGUAGE');
  });

  it('gives a helpful reply to odd input and exits at the end of input', () => {
    const { out, code } = chat(['/photo', '99', '🙂', '/voice', '99'], ['--lang', 'en']);
    expect(code).toBe(0);
    expect(out).toContain("I can't read photos here.");
    expect(out).toContain('That number is not in the list (1 to 7).');
    // A voice note: the bot cannot listen, and offers to send it to a person.
    expect(out).toContain("I can't listen, but a person from an association can. Send them your voice message?");
    expect(out).toContain('That number is not in the list (1 to 2).');
  });

  it('rejects an unknown language with a clear message', () => {
    const { err, code } = chat([], ['--lang', 'de']);
    expect(code).toBe(2);
    expect(err).toContain('--lang must be one of fr, en, bm');
  });
});

describe('kunnafoni chat on the services of npm start', () => {
  it('takes a referral to a case number, then tells its status when the number is typed', async () => {
    const chat = await startChat(['--lang', 'fr']);
    await chat.next(MENU);
    await chat.say('4', /De quelle aide as-tu besoin/);
    await chat.say('1', /Dans quelle région/);
    await chat.say('1', /Tu es d'accord/);
    await chat.say('oui', /Explique ta situation/);
    await chat.say('passer', /Comment l'association doit te répondre/);
    await chat.say('1', /Comment veux-tu qu'on t'appelle/);
    await chat.say('passer', /J'envoie ta demande/);
    const saved = await chat.say('1', MENU);
    expect(saved).not.toContain('pas disponibles ici');
    const no = /Ton numéro de dossier : (K-[0-9A-Z]{4,})/.exec(saved)?.[1];
    expect(no).toBeDefined();

    // The number typed alone asks for the case's status.
    const status = await chat.say(no!, new RegExp(`dossier ${no}`));
    expect(status).toMatch(
      new RegExp(`Ton dossier ${no} (attend qu’une personne de .+ le prenne en charge|est suivi)`),
    );
    // A number that is not this person's is not shown.
    const other = await chat.say('K-ZZZZ', /K-ZZZZ/);
    expect(other).toContain('Je ne trouve pas de dossier K-ZZZZ pour toi');

    chat.child.stdin.end();
    expect(await chat.exited).toBe(0);
    expect(chat.err).toBe('');
  });

  it('subscribes to alerts, lists them, then EFFACER erases the subscription and the session', async () => {
    const chat = await startChat(['--lang', 'fr']);
    await chat.next(MENU);
    await chat.say('5', /Alertes : que veux-tu faire/);
    await chat.say('1', /Quel sujet/);
    await chat.say('1', /Pour quelle région/);
    await chat.say('1', /Recevoir les alertes « Expulsions et retours » pour Bamako/);
    const done = await chat.say('1', MENU);
    expect(done).toContain("C'est fait.");
    expect(done).not.toContain('pas disponibles ici');
    await chat.say('5', /Alertes : que veux-tu faire/);
    const listed = await chat.say('2', /Expulsions et retours/);
    expect(listed).toContain('Expulsions et retours');

    const r = await testRedis();
    try {
      const keysBefore = await r.redis.keys(`{${prefix}}:*`);
      expect(keysBefore.some((k) => k.includes(':session:'))).toBe(true);
      expect(keysBefore.some((k) => k.includes('alerts'))).toBe(true);

      await chat.say('EFFACER', /Effacer tout ce qui te concerne/);
      const erased = await chat.say('1', /tout ce qui te concerne est effacé/);
      expect(erased).toContain("C'est fait : tout ce qui te concerne est effacé.");
      const keysAfter = await r.redis.keys(`{${prefix}}:*`);
      expect(keysAfter.filter((k) => k.includes(':session:'))).toEqual([]);
      // No subscriber is left in any alert index.
      for (const key of keysAfter.filter((k) => k.includes('alerts'))) {
        const type = await r.redis.type(key);
        if (type === 'set') expect(await r.redis.scard(key)).toBe(0);
        if (type === 'hash') expect(key).not.toMatch(/alerts:person/);
      }
    } finally {
      await r.cleanup();
    }
    chat.child.stdin.end();
    expect(await chat.exited).toBe(0);
  });

  it('with --memory, says first what it cannot do, and a referral ends with "not available here"', async () => {
    const chat = await startChat(['--memory', '--lang', 'fr']);
    const first = await chat.next(MENU);
    expect(first.indexOf('Memory mode')).toBe(0);
    expect(first).toMatch(/Requests for help .*alert subscriptions, case status and the erasure/);
    for (const [line, next] of [
      ['4', /De quelle aide/],
      ['1', /Dans quelle région/],
      ['1', /Tu es d'accord/],
      ['oui', /Explique ta situation/],
      ['passer', /doit te répondre/],
      ['1', /qu'on t'appelle/],
      ['passer', /J'envoie ta demande/],
    ] as const) {
      await chat.say(line, next);
    }
    expect(await chat.say('1', MENU)).toContain("Les demandes d'aide ne sont pas disponibles ici.");
    chat.child.stdin.end();
    expect(await chat.exited).toBe(0);
  });

  it.each([[['--bogus']], [['--lang']], [['--memory', 'yes']], [['extra']]])(
    'refuses %j with exit code 2',
    async (args) => {
      const chat = await startChat(args);
      chat.child.stdin.end();
      expect(await chat.exited).toBe(2);
      expect(chat.err).toMatch(/^(kunnafoni )?chat: /);
      expect(chat.out).toBe('');
    },
  );
});
