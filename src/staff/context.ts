// What every route of the console shares: the request's session, account and language, and the services.

import type { Queue } from 'bullmq';
import type { Context } from 'hono';
import type { Redis } from 'ioredis';
import type { Bundle } from '../app/bundle.ts';
import type { SourceProblem } from '../common/source-problems.ts';
import type { RedisKeys } from '../infra/keys.ts';
import type { Logger } from '../infra/logger.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { ProxyTrust } from '../infra/proxy-trust.ts';
import type { Clock } from '../ports/clock.ts';
import type { CaseAttachments } from '../referrals/attachments.ts';
import type { AccountStore, StaffAccount } from './accounts.ts';
import type { AuditLog } from './audit-log.ts';
import type { T, UiLang } from './i18n.ts';
import type { PageView } from './layout.ts';
import type { LiveHub } from './live-events.ts';
import type { LoginLimiter } from './login-limiter.ts';
import type { ScryptCost } from './passwords.ts';
import type { HealthReport, StaffAlerts, StaffReferrals, TelegramStatus, WhatsAppStateView } from './services.ts';
import type { SessionStore, StaffSession } from './sessions.ts';
import type { Signer } from './signing.ts';
import type { TemplateStore } from './templates.ts';

export type StaffEnv = {
  Variables: {
    session: StaffSession | null;
    account: StaffAccount | null;
    lang: UiLang;
    t: T;
    /** What a person must do about a channel now (e.g. scan WhatsApp's QR code): a banner on every page. */
    banner?: string | null;
    /** The CSRF token forms of this page carry: the session's, or the signed login-form token. */
    csrf: string;
  };
};

export type StaffContext = Context<StaffEnv>;

export type ServerDeps = {
  redis: Redis;
  keys: RedisKeys;
  bundle: Bundle;
  /** Problems found when the bundle was loaded (warnings, since a bundle with errors does not load). */
  problems: readonly SourceProblem[];
  referrals?: StaffReferrals;
  alerts?: StaffAlerts;
  telegramWebhook?: (request: Request) => Promise<Response>;
  telegramStatus?: () => Promise<TelegramStatus>;
  whatsappState?: () => WhatsAppStateView;
  whatsappRetry?: () => Promise<void>;
  health: () => Promise<HealthReport>;
  metrics: Metrics;
  queues: readonly Queue[];
  logger: Logger;
  clock: Clock;
  accounts: AccountStore;
  sessions: SessionStore;
  limiter: LoginLimiter;
  signer: Signer;
  /** scrypt cost of new hashes (OWASP's minimum unless a test asks for less). */
  passwordCost: ScryptCost;
  audit: AuditLog;
  templates: TemplateStore;
  /** Opens a file a person sent, per channel (e.g. Telegram's getFile); absent: attachments are only counted. */
  attachments?: Partial<Record<string, (ref: string) => Promise<{ contentType: string; body: Uint8Array } | null>>>;
  /** The files kept with cases (src/referrals/attachments.ts), sealed in the data directory. */
  caseFiles?: Pick<CaseAttachments, 'open' | 'describe'>;
  /** Live updates of the partner's cases (Server-Sent Events). */
  live: LiveHub;
  /** Which client address counts (TRUST_PROXY). */
  trustProxy: ProxyTrust;
};

/** The console's view of the request, for page rendering. */
export function viewOf(c: StaffContext): PageView {
  return {
    lang: c.get('lang'),
    t: c.get('t'),
    account: c.get('account'),
    csrf: c.get('csrf'),
    path: new URL(c.req.url).pathname,
    banner: c.get('banner') ?? null,
  };
}

/** `web:<account>`, the id the referral service records in the audit trail. */
export function actorOf(account: StaffAccount): { id: string; partner: string; admin: boolean } {
  return { id: `web:${account.id}`, partner: account.partner, admin: account.role === 'admin' };
}
