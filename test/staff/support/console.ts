// A staff console on real Redis and BullMQ (own key prefix): the shipped bundle, the real referral service and alerts
// broadcast, accounts with passwords, and a small cookie-keeping client that drives the Hono app like a browser.
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { AlertBroadcast } from '../../../src/alerts/broadcast.ts';
import { RedisSubscriptions } from '../../../src/alerts/subscriptions.ts';
import type { Bundle } from '../../../src/app/bundle.ts';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import { silentLogger } from '../../../src/infra/logger.ts';
import { createMetrics, type Metrics } from '../../../src/infra/metrics.ts';
import type { ChatRef } from '../../../src/ports/chat.ts';
import type { OutMessage } from '../../../src/ports/out-message.ts';
import type { Outbox } from '../../../src/ports/outbox.ts';
import { partnersFromContacts } from '../../../src/referrals/partners.ts';
import {
  createReferralService,
  type ReferralService,
  type ReferralServiceDeps,
} from '../../../src/referrals/service.ts';
import { AccountStore, type Role, type StaffAccount } from '../../../src/staff/accounts.ts';
import { staffAlerts } from '../../../src/staff/alerts-adapter.ts';
import { AuditLog } from '../../../src/staff/audit-log.ts';
import type { StaffEnv } from '../../../src/staff/context.ts';
import { LivePublisher } from '../../../src/staff/live-events.ts';
import { hashPassword } from '../../../src/staff/passwords.ts';
import { createHttpServer, type HttpServer, type HttpServerOptions } from '../../../src/staff/server.ts';
import { shippedBundle, shippedNotices } from '../../support/app.ts';
import { type TestRedis, testRedis } from '../../support/redis.ts';

export const PASSWORD = 'correct horse battery';
/** Lower than production's OWASP cost (test/staff/passwords.test.ts checks that one): the tests log in often. */
export const TEST_COST = { N: 1 << 12, r: 8, p: 1 };

export class RecordingOutbox implements Outbox {
  sent: { chat: ChatRef; messages: OutMessage[] }[] = [];
  async send(chat: ChatRef, messages: OutMessage[]): Promise<void> {
    this.sent.push({ chat, messages });
  }
  textsTo(chat: ChatRef): string[] {
    return this.sent
      .filter((s) => s.chat.id === chat.id)
      .flatMap((s) => s.messages.flatMap((m) => [...(m.title ? [m.title] : []), ...m.paragraphs]));
  }
}

/** Real time plus an offset the test moves forward. */
export class MovableClock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
}

export type Console = TestRedis & {
  bundle: Bundle;
  server: HttpServer;
  app: Hono<StaffEnv>;
  referrals: ReferralService;
  broadcast: AlertBroadcast;
  subscriptions: RedisSubscriptions;
  outbox: RecordingOutbox;
  metrics: Metrics;
  accounts: AccountStore;
  clock: MovableClock;
  /** Creates an account with PASSWORD. */
  account(name: string, partner: string, role?: Role): Promise<StaffAccount>;
  /** A person's referral, published to its partner's queue; returns the case number. */
  openCase(
    fields?: Record<string, string>,
    need?: string,
    region?: string,
    urgent?: boolean,
  ): Promise<{ no: string; chat: ChatRef }>;
  close(): Promise<void>;
};

let chats = 0;

/** `extra` may need the test's Redis (e.g. a Telegram webhook handler): then give a function of it. */
export async function createConsole(
  extra: Partial<HttpServerOptions> | ((r: TestRedis) => Partial<HttpServerOptions>) = {},
  /**
   * The people's side, where a test runs their conversations (an outbox to a channel, a prompter), and
   * `attachmentsDir`: files people send are kept there, and the console opens them.
   */
  people: Partial<Pick<ReferralServiceDeps, 'outbox' | 'prompter' | 'attachmentsDir'>> = {},
): Promise<Console> {
  const bundle = await shippedBundle();
  const r = await testRedis();
  const clock = new MovableClock();
  const outbox = new RecordingOutbox();
  const cipher = new PersonalDataCipher(devDataKeys(randomBytes(8).toString('hex')));
  const referrals = createReferralService({
    notices: await shippedNotices(),
    redis: r.redis,
    keys: r.keys,
    cipher,
    partners: partnersFromContacts(bundle.content.contacts.values()),
    outbox,
    notifier: new LivePublisher(r.redis, r.keys),
    clock,
    audit: new AuditLog(r.redis, r.keys, clock),
    // Waiting 6 hours makes a case overdue (tests move the clock 7 hours).
    options: {
      fallbackPartner: 'ame',
      pseudonymSecret: randomBytes(16).toString('hex'),
      remindAfterHours: 6,
      escalateAfterHours: 24,
    },
    ...people,
  });
  const broadcast = new AlertBroadcast(r.redis, r.keys, clock);
  const subscriptions = new RedisSubscriptions(r.redis, r.keys);
  const metrics = createMetrics({ processMetrics: false });
  const server = createHttpServer({
    config: { host: '127.0.0.1', port: 0 },
    redis: r.redis,
    keys: r.keys,
    bundle,
    referrals,
    alerts: staffAlerts({ broadcast, redis: r.redis, keys: r.keys, now: () => clock.now() }),
    metrics,
    queues: [referrals.queue, broadcast.fanoutQueue, broadcast.sendQueue],
    logger: silentLogger(),
    clock,
    trustProxy: true,
    passwordCost: TEST_COST,
    ...(referrals.attachments ? { caseFiles: referrals.attachments } : {}),
    ...(typeof extra === 'function' ? extra(r) : extra),
  });
  const accounts = new AccountStore(r.redis, r.keys);
  const hash = await hashPassword(PASSWORD, TEST_COST);
  return {
    ...r,
    bundle,
    server,
    app: server.app,
    referrals,
    broadcast,
    subscriptions,
    outbox,
    metrics,
    accounts,
    clock,
    async account(name, partner, role = 'staff') {
      const account = await accounts.create({ name, partner, role }, clock.now());
      await accounts.setPassword(account.id, hash, clock.now());
      return { ...account, passwordHash: hash };
    },
    async openCase(
      fields = { nickname: 'Awa', description: 'Mon passeport a été pris à la frontière.' },
      need = 'legal',
      region = 'bamako',
      urgent = false,
    ) {
      chats += 1;
      const chat: ChatRef = { channel: 'telegram', id: String(700000 + chats) };
      const reply = await referrals.intake(
        chat,
        { type: 'refer', intakeId: `i${chats}`, need, region, fields, ...(urgent ? { urgent } : {}) },
        'fr',
      );
      if (!reply.created) throw new Error(`no case: ${reply.reason}`);
      await referrals.dispatch(reply.no);
      return { no: reply.no, chat };
    },
    async close() {
      await server.close();
      await referrals.stop();
      await broadcast.close();
      await r.cleanup();
    },
  };
}

/** A browser-like client for `app.request`: keeps cookies, reads the CSRF token from pages. */
export class Client {
  private cookies = new Map<string, string>();
  csrf = '';

  constructor(
    private readonly app: Hono<StaffEnv>,
    readonly origin = 'http://127.0.0.1:3000',
    readonly ip = '10.0.0.1',
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return { ...(cookie ? { cookie } : {}), 'x-forwarded-for': this.ip, 'accept-language': 'en', ...extra };
  }

  private keep(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = this.keep(await this.app.request(`${this.origin}${path}`, { headers: this.headers(headers) }));
    return res;
  }

  /** GET a page and remember its CSRF token; returns the HTML. */
  async page(path: string): Promise<{ status: number; html: string; res: Response }> {
    const res = await this.get(path);
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, html, res };
  }

  async post(
    path: string,
    form: Record<string, string | string[]> = {},
    options: { csrf?: string | false } = {},
  ): Promise<Response> {
    const body = new URLSearchParams();
    const token = options.csrf === undefined ? this.csrf : options.csrf;
    if (token !== false) body.append('_csrf', token);
    for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
    return this.keep(
      await this.app.request(`${this.origin}${path}`, {
        method: 'POST',
        body: body.toString(),
        headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      }),
    );
  }

  async login(login: string, password = PASSWORD): Promise<Response> {
    await this.page('/login');
    return this.post('/login', { login, password });
  }
}

export function location(res: Response): string {
  return res.headers.get('location') ?? '';
}

/** What an error page says (its title and message, with its links), without the shell around it. */
export function errorOf(page: string): string {
  const title = /<h1>(.*?)<\/h1>/.exec(page)?.[1] ?? '';
  const error = /<div class="card" id="error"[^>]*>(.*?)<\/div>/.exec(page)?.[1] ?? '';
  return error ? `${title}: ${error}` : page;
}
