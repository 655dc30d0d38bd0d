// Alert broadcast benchmark, on the Redis at REDIS_URL (default 127.0.0.1:6379) under a private key prefix.
// The loopback Bot API server runs here and ENFORCES a fixed rate (a token bucket of 1,000 messages/s with a burst of
// 1,000, and one message per second per chat), answering 429 beyond it; the alert workers run in their own process
// (test/alerts/support/worker-child.ts) configured for the same 1,000/s. 1,000/s rather than Telegram's ~30/s keeps
// the run to seconds; the mechanism is the same.
// - warm-up: a first alert to 3,000 other subscribers (not measured), as a running bot's worker is warm.
// - throughput: 10,000 subscribers, one alert: delivered per second (first to last delivery, fan-out included) /
//   enforced limit (goal >= 0.95), duplicates 0, lost 0, 429s answered by the server's limiter (a broadcast that
//   holds the limit gets none).
// - 429s: 2,000 more subscribers and five 429s (retry_after 1 s) injected during the broadcast: sends the worker
//   started after it got a 429 and before retry_after ran out (goal 0; the server also counts arrivals during
//   retry_after, which were already in flight when the 429 was answered), duplicates 0, lost 0.
// Run alone: `node --import tsx bench/alerts.ts`.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { AlertBroadcast } from '../src/alerts/broadcast.ts';
import { RedisSubscriptions } from '../src/alerts/subscriptions.ts';
import { RedisKeys } from '../src/infra/keys.ts';
import type { ChatRef } from '../src/ports/chat.ts';
import { systemClock } from '../src/ports/clock.ts';
import { AlertWorkerProcess } from '../test/alerts/support/worker-process.ts';
import { BotApiServer, type RecordedCall } from '../test/support/bot-api-server.ts';
import { deleteKeys } from '../test/support/redis.ts';

const RATE = 1000;
const SUBSCRIBERS = 10_000;
const STORM_SUBSCRIBERS = 2_000;
const WARM_UP = 3_000;
const INJECTED_429 = 5;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

async function subscribe(subs: RedisSubscriptions, first: number, count: number, topic: string): Promise<ChatRef[]> {
  const chats = Array.from({ length: count }, (_, i): ChatRef => ({ channel: 'telegram', id: String(first + i) }));
  const langs = ['fr', 'en', 'bm'] as const;
  for (let i = 0; i < chats.length; i += 500) {
    await Promise.all(
      chats.slice(i, i + 500).map((chat, j) => subs.subscribe(chat, [topic], langs[(i + j) % 3]!, 'bamako')),
    );
  }
  return chats;
}

async function waitDone(broadcast: AlertBroadcast, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await broadcast.report(id))?.state !== 'done') {
    if (Date.now() > deadline) throw new Error(`alert ${id} did not finish in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Successful deliveries of `text` per chat: lost = chats without one, duplicates = extra ones. */
function tally(calls: RecordedCall[], chats: ChatRef[], text: string) {
  const perChat = new Map<string, number>();
  const delivered = calls.filter((c) => c.method === 'sendMessage' && c.status === 200 && c.params.text === text);
  for (const call of delivered) perChat.set(call.chatId!, (perChat.get(call.chatId!) ?? 0) + 1);
  const lost = chats.filter((c) => !perChat.has(c.id)).length;
  const duplicates = [...perChat.values()].reduce((sum, n) => sum + n - 1, 0);
  return { delivered, lost, duplicates };
}

export async function benchAlerts(): Promise<Record<string, number>> {
  const prefix = `bench-alerts-${randomBytes(4).toString('hex')}`;
  const keys = new RedisKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const server = await BotApiServer.start({ rateLimit: { globalPerSecond: RATE, perChatIntervalMs: 1000 } });
  const subs = new RedisSubscriptions(redis, keys);
  const broadcast = new AlertBroadcast(redis, keys, systemClock);
  let worker: AlertWorkerProcess | null = null;
  try {
    worker = await AlertWorkerProcess.start({
      KF_REDIS_URL: REDIS_URL,
      KF_PREFIX: prefix,
      KF_TOKEN: server.token,
      KF_API_ROOT: server.apiRoot,
      KF_RATE: String(RATE),
      KF_CONCURRENCY: process.env.BENCH_ALERTS_CONCURRENCY ?? '50',
      KF_LOCK_MS: '30000',
      KF_STALLED_MS: '30000',
      KF_RECORD: '1',
    });

    // --- Warm-up (not measured): a running bot's worker is warm; a fresh process spends its first seconds
    // compiling and opening connections. ---
    await subscribe(subs, 8_000_000, WARM_UP, 'association-events');
    const warmUp = { id: 'bench-warm-up', topics: ['association-events'], regions: 'all' as const, text: { fr: 'w' } };
    await broadcast.publish(warmUp);
    await waitDone(broadcast, warmUp.id, 60_000);
    await new Promise((r) => setTimeout(r, 1100));
    server.clearCalls();
    const warm429 = server.stats.rateLimited;

    // --- Throughput against the enforced limit ---
    const people = await subscribe(subs, 9_000_000, SUBSCRIBERS, 'urgent');
    const text = 'Bench: the border post is closed.';
    const alert = { id: 'bench-throughput', topics: ['urgent'], regions: 'all' as const, text: { fr: text } };
    const t0 = performance.now();
    await broadcast.publish(alert);
    await waitDone(broadcast, alert.id, 120_000);
    const wallS = (performance.now() - t0) / 1000;
    const run = tally(server.calls, people, text);
    const first = run.delivered[0]!.at;
    const last = run.delivered[run.delivered.length - 1]!.at;
    const perSecond = (run.delivered.length - 1) / ((last - first) / 1000);
    const throughput429 = server.stats.rateLimited - warm429;
    const throughputViolations = server.stats.retryAfterViolations;

    // --- Injected 429s ---
    const stormPeople = await subscribe(subs, 9_500_000, STORM_SUBSCRIBERS, 'travel');
    const stormText = 'Bench: road closed.';
    const storm = { id: 'bench-429', topics: ['travel'], regions: 'all' as const, text: { fr: stormText } };
    const since = server.lastSeq;
    let sent = 0;
    const stop = server.onCall((call) => {
      if (call.method !== 'sendMessage' || call.status !== 200) return;
      sent++;
      // A 429 every 300 messages, the first five times.
      if (sent % 300 === 0 && sent <= 300 * INJECTED_429) {
        server.failNext({ status: 429, retryAfter: 1 }, { method: 'sendMessage' });
      }
    });
    await broadcast.publish(storm);
    await waitDone(broadcast, storm.id, 120_000);
    stop();
    const stormCalls = server.calls.filter((c) => c.seq > since && c.method === 'sendMessage');
    const injected = stormCalls.filter((c) => c.status === 429);
    // Server side: arrivals within retry_after of a 429 (sent before the worker could know of it: in flight).
    let arrivedDuringRetryAfter = 0;
    for (const hit of injected) {
      arrivedDuringRetryAfter += stormCalls.filter((c) => c.seq > hit.seq && c.at - hit.at < 1000).length;
    }
    const stormRun = tally(stormCalls, stormPeople, stormText);
    const report = await broadcast.report(storm.id);
    // Worker side: sends it started after it got a 429 and before retry_after ran out (goal 0).
    await worker.stop();
    worker = null;
    const record = JSON.parse((await redis.get(`${keys.root}:bench:record`)) ?? '{"starts":[],"limited":[]}') as {
      starts: number[];
      limited: number[];
    };
    const startedDuringPause = record.limited.reduce(
      (sum, at) => sum + record.starts.filter((s) => s > at && s < at + 1000).length,
      0,
    );

    return {
      enforced_limit_per_s: RATE,
      subscribers: SUBSCRIBERS,
      delivered_per_s: round(perSecond, 1),
      ratio_to_limit: round(perSecond / RATE),
      wall_s_publish_to_done: round(wallS, 2),
      duplicates: run.duplicates,
      lost: run.lost,
      server_429s: throughput429,
      server_retry_after_violations: throughputViolations,
      storm_subscribers: STORM_SUBSCRIBERS,
      storm_429s_injected: injected.length,
      storm_429s_seen_by_worker: record.limited.length,
      storm_sends_started_during_pause: startedDuringPause,
      storm_arrivals_during_retry_after_in_flight: arrivedDuringRetryAfter,
      storm_duplicates: stormRun.duplicates,
      storm_lost: stormRun.lost,
      storm_failed: report?.failed ?? -1,
    };
  } finally {
    await worker?.stop();
    await broadcast.close();
    await server.close();
    await deleteKeys(redis, `${keys.root}*`);
    redis.disconnect();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await benchAlerts());
}
