// A partner's audit log: logins to its accounts (account, address, success), every view of a case's personal data,
// claims, transfers, closes and account changes, with the time. Kept for the configured retention (default 365
// days), then dropped. It never holds a person's data: case numbers, staff ids and actions only.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import type { Clock } from '../ports/clock.ts';
import type { PartnerAudit, PartnerAuditEvent } from '../referrals/service.ts';
import { StaffKeys } from './staff-keys.ts';

export type AuditLogEntry = PartnerAuditEvent & {
  at: number;
  /** The client address, for logins. */
  address?: string;
  /** For logins: whether the password was right. */
  ok?: boolean;
};

const DAY = 86_400_000;

export class AuditLog implements PartnerAudit {
  private readonly k: StaffKeys;
  private readonly retentionMs: number;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    private readonly clock: Clock,
    options: { retentionDays?: number } = {},
  ) {
    this.k = new StaffKeys(keys);
    this.retentionMs = (options.retentionDays ?? 365) * DAY;
  }

  async record(event: PartnerAuditEvent & { address?: string; ok?: boolean }): Promise<void> {
    const at = this.clock.now();
    const key = this.k.audit(event.partner);
    const entry: AuditLogEntry = { at, ...event };
    // A random suffix keeps two identical entries in the same millisecond apart in the sorted set.
    const member = `${JSON.stringify(entry)}\n${randomBytes(4).toString('hex')}`;
    await this.redis
      .multi()
      .zadd(key, at, member)
      .zremrangebyscore(key, '-inf', String(at - this.retentionMs))
      .pexpire(key, this.retentionMs)
      .exec();
  }

  /** Newest first; `before` (ms) pages back. */
  async list(partner: string, options: { limit?: number; before?: number } = {}): Promise<AuditLogEntry[]> {
    const now = this.clock.now();
    const max = options.before !== undefined ? `(${options.before}` : '+inf';
    const min = String(now - this.retentionMs);
    const members = await this.redis.zrevrangebyscore(
      this.k.audit(partner),
      max,
      min,
      'LIMIT',
      0,
      options.limit ?? 200,
    );
    return members.flatMap((m) => {
      try {
        return [JSON.parse(m.slice(0, m.lastIndexOf('\n'))) as AuditLogEntry];
      } catch {
        return [];
      }
    });
  }
}
