// Search and filters of the queue: case number, status, need, region, age, holder, "mine". Read from the query
// string, so a filtered queue is a link a colleague can open.
import type { CaseSummary, QueueView } from '../services.ts';

export type QueueFilter = {
  q: string;
  status: '' | 'waiting' | 'claimed' | 'closed' | 'overdue' | 'urgent';
  need: string;
  region: string;
  /** Only cases older than this many hours (0: any). */
  olderThanHours: number;
  /** A staff id (`web:awa`), or ''. */
  holder: string;
  mine: boolean;
  /** The viewer, for "mine". */
  me: string;
  now: number;
};

const STATUSES = ['waiting', 'claimed', 'closed', 'overdue', 'urgent'] as const;
const ID = /^[a-z0-9:_-]{1,64}$/;

export function queueFilter(query: Record<string, string>, me: string, now: number): QueueFilter {
  const pick = (name: string) => (ID.test(query[name] ?? '') ? (query[name] as string) : '');
  const status = (STATUSES as readonly string[]).includes(query.status ?? '')
    ? (query.status as QueueFilter['status'])
    : '';
  const hours = Number(query.age);
  return {
    q: (query.q ?? '')
      .trim()
      .toUpperCase()
      .replace(/[^0-9A-Z-]/g, '')
      .slice(0, 10),
    status,
    need: pick('need'),
    region: pick('region'),
    olderThanHours: Number.isFinite(hours) && hours > 0 ? Math.min(hours, 24 * 365) : 0,
    holder: pick('holder'),
    mine: query.mine === '1',
    me,
    now,
  };
}

export function isFiltered(f: QueueFilter): boolean {
  return Boolean(f.q || f.status || f.need || f.region || f.olderThanHours || f.holder || f.mine);
}

function keep(f: QueueFilter, c: CaseSummary): boolean {
  if (f.q && !c.no.replace('-', '').includes(f.q.replace('-', '').replace(/^K/, ''))) return false;
  if (f.status === 'overdue' && !c.overdue) return false;
  if (f.status === 'urgent' && !c.urgent) return false;
  if ((f.status === 'waiting' || f.status === 'claimed' || f.status === 'closed') && c.status !== f.status)
    return false;
  if (f.need && c.need !== f.need) return false;
  if (f.region && c.region !== f.region) return false;
  if (f.olderThanHours && f.now - c.createdAt < f.olderThanHours * 3_600_000) return false;
  if (f.holder && c.claimedBy !== f.holder) return false;
  if (f.mine && c.claimedBy !== f.me) return false;
  return true;
}

export function applyFilter(queue: QueueView, f: QueueFilter): QueueView {
  if (!isFiltered(f)) return queue;
  const only = (list: CaseSummary[]) => list.filter((c) => keep(f, c));
  return {
    overdue: only(queue.overdue),
    waiting: only(queue.waiting),
    claimed: only(queue.claimed),
    closed: only(queue.closed),
  };
}
