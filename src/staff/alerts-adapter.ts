// The console's alerts port on top of the alerts service (src/alerts/broadcast.ts): a console draft becomes an
// Alert with a generated id; progress comes from the broadcast's report; who published what is kept in the
// console's own Redis hash.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AlertBroadcast } from '../alerts/broadcast.ts';
import type { RedisKeys } from '../infra/keys.ts';
import type { AlertDraft, AlertProgress, StaffAlerts } from './services.ts';

type Broadcast = Pick<AlertBroadcast, 'preview' | 'publish' | 'report' | 'alertKeys'>;
type Alert = Parameters<AlertBroadcast['publish']>[0];
type Report = NonNullable<Awaited<ReturnType<AlertBroadcast['report']>>>;

/** "web-20260115-0930-k3x9": sortable, readable, and within the alert id rule. */
export function newAlertId(now: number): string {
  const stamp = new Date(now).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `web-${stamp}-${randomBytes(3).toString('hex')}`;
}

export function alertFromDraft(id: string, draft: AlertDraft): Alert {
  const alert: Alert = {
    id,
    topics: draft.topics,
    regions: draft.regions.includes('all') ? 'all' : draft.regions,
    text: { ...draft.text },
  };
  if (draft.sendAt !== undefined) alert.sendAt = draft.sendAt;
  if (draft.expiresAt !== undefined) alert.expires = draft.expiresAt;
  return alert;
}

function progressOf(r: Report, by: string | null): AlertProgress {
  return {
    id: r.id,
    state: r.state,
    total: r.total ?? r.estimate,
    sent: r.sent,
    pending: r.pending,
    failed: r.failed,
    blocked: r.blocked,
    skipped: r.skipped + r.expired,
    uncertain: r.uncertain,
    failedReasons: r.failedReasons as Record<string, number>,
    waiting: r.state !== 'done' && r.senders === 0,
    ...(r.sendAt !== null ? { sendAt: r.sendAt } : {}),
    publishedAt: r.publishedAt,
    ...(by ? { by } : {}),
  };
}

export function staffAlerts(deps: {
  broadcast: Broadcast;
  redis: Redis;
  keys: RedisKeys;
  now?: () => number;
}): StaffAlerts {
  const { broadcast, redis } = deps;
  const now = deps.now ?? Date.now;
  const publishers = deps.keys.key('staff', 'alert-publishers');
  return {
    audience: (draft) => broadcast.preview(alertFromDraft('preview', draft)),

    async publish(draft, by) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const id = newAlertId(now());
        const result = await broadcast.publish(alertFromDraft(id, draft));
        if (!result.published) continue;
        await redis.hset(publishers, id, by);
        return { id };
      }
      throw new Error('no free alert id');
    },

    async status(id) {
      const [report, by] = await Promise.all([broadcast.report(id), redis.hget(publishers, id)]);
      return report ? progressOf(report, by) : null;
    },

    async recent(limit) {
      const ids = await redis.zrevrange(broadcast.alertKeys.index, 0, limit - 1);
      const reports = await Promise.all(ids.map((id) => this.status(id)));
      return reports.filter((r): r is AlertProgress => r !== null);
    },
  };
}
