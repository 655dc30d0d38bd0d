// Referral benchmark, on the Redis at REDIS_URL (default 127.0.0.1:6379) under a private key prefix:
// - calm: 1,000 intakes (10 people at a time, ~200 intakes/s) with a worker in its own process; p50/p99 from the
//   intake call to the case being visible in the partner's staff queue (goal p99 <= 100 ms); then every case claimed
//   by two staff at once (exactly one must win each). Then a burst of 1,000 as fast as possible.
// - chaos: 1,000 more intakes, each delivered twice (a re-delivered update), while the worker process is killed
//   with SIGKILL at random moments and restarted; then every case must be in the queue once: lost 0, duplicated 0.
// Run alone: `node --import tsx bench/referrals.ts`.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { devDataKeys, PersonalDataCipher } from '../src/infra/crypto.ts';
import { RedisKeys } from '../src/infra/keys.ts';
import { systemClock } from '../src/ports/clock.ts';
import type { CaseDetails, ReferralService } from '../src/referrals/service.ts';
import { createReferralService } from '../src/referrals/service.ts';
import { silentNotifier } from '../src/referrals/staff-notifier.ts';
import { caseNumberIn, PARTNERS, referEffect } from '../test/referrals/support/referrals.ts';
import { type WorkerChildEnv, WorkerProcess } from '../test/referrals/support/worker-process.ts';
import { shippedNotices } from '../test/support/app.ts';
import { deleteKeys } from '../test/support/redis.ts';

const CASES = 1000;
const PARALLEL = 10;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const round = (n: number) => Math.round(n * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `count` tasks, `parallel` at a time. */
async function pool(count: number, parallel: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

type Intakes = { started: Map<string, number>; intakeMs: number[]; redeliveryMismatches: number };

/** 1,000 intakes from 10 people at a time, each waiting `gapMs` between two of theirs (0: as fast as possible). */
async function intakeMany(service: ReferralService, offset: number, gapMs: number, twice: boolean): Promise<Intakes> {
  const started = new Map<string, number>();
  const intakeMs: number[] = [];
  let redeliveryMismatches = 0;
  await pool(CASES, PARALLEL, async (i) => {
    const chat = { channel: 'telegram' as const, id: String(offset + i) };
    const effect = referEffect({ intakeId: 'i1', fields: { nickname: `p${i}`, description: 'bench case' } });
    const t0 = Date.now();
    const p0 = performance.now();
    const no = caseNumberIn(await service.intake(chat, effect, 'fr'));
    intakeMs.push(performance.now() - p0);
    if (twice && caseNumberIn(await service.intake(chat, effect, 'fr')) !== no) redeliveryMismatches++;
    started.set(no, t0);
    if (gapMs > 0) await sleep(gapMs * (0.5 + Math.random()));
  });
  return { started, intakeMs, redeliveryMismatches };
}

/** Waits until every case is published (or the time is up); returns intake-to-visible latencies in ms. */
async function visibleLatencies(redis: Redis, keys: RedisKeys, started: Map<string, number>, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  const latencies = new Map<string, number>();
  while (latencies.size < started.size && Date.now() < until) {
    const pipeline = redis.pipeline();
    const waiting = [...started.keys()].filter((no) => !latencies.has(no));
    for (const no of waiting) pipeline.hget(keys.key('ref', 'case', no), 'publishedAt');
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([, at], i) => {
      const no = waiting[i]!;
      if (at) latencies.set(no, Number(at) - started.get(no)!);
    });
    if (latencies.size < started.size) await sleep(50);
  }
  return latencies;
}

async function claimAll(service: ReferralService, nos: string[]) {
  let won = 0;
  let refused = 0;
  const claimMs: number[] = [];
  await pool(nos.length, PARALLEL, async (i) => {
    const no = nos[i]!;
    const p0 = performance.now();
    const results = await Promise.all([
      service.claim(no, { id: `tg:${i}a`, partner: 'ame' }),
      service.claim(no, { id: `tg:${i}b`, partner: 'ame' }),
    ]);
    claimMs.push(performance.now() - p0);
    won += results.filter((r) => r.ok).length;
    refused += results.filter((r) => !r.ok && r.reason === 'taken').length;
  });
  return { won, refused, claimMs };
}

export async function benchReferrals(): Promise<Record<string, number>> {
  const prefix = `bench-ref-${randomBytes(4).toString('hex')}`;
  const keys = new RedisKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const secret = randomBytes(16).toString('hex');
  const passphrase = randomBytes(8).toString('hex');
  const service = createReferralService({
    notices: await shippedNotices(),
    redis,
    keys,
    cipher: new PersonalDataCipher(devDataKeys(passphrase)),
    partners: PARTNERS,
    outbox: { send: async () => {} },
    notifier: silentNotifier,
    clock: systemClock,
    options: { fallbackPartner: 'aracem', pseudonymSecret: secret },
  });
  const env: WorkerChildEnv = {
    KF_REDIS_URL: REDIS_URL,
    KF_PREFIX: prefix,
    KF_SECRET: secret,
    KF_DATA_PASSPHRASE: passphrase,
    KF_CONCURRENCY: '16',
    KF_LOCK_MS: '1500',
    KF_STALLED_MS: '500',
    KF_ANNOUNCE_LEASE_MS: '3000',
  };
  const workers = new Set<WorkerProcess>();
  try {
    // Calm: one worker, no kills; about 200 intakes/s (far above real traffic), then a burst as fast as possible.
    const calmWorker = await WorkerProcess.start(env);
    workers.add(calmWorker);
    const calm = await intakeMany(service, 1_000_000, 50, false);
    const calmVisible = await visibleLatencies(redis, keys, calm.started, 30_000);
    const burstStart = performance.now();
    const burst = await intakeMany(service, 3_000_000, 0, false);
    const burstSeconds = (performance.now() - burstStart) / 1000;
    const burstVisible = await visibleLatencies(redis, keys, burst.started, 30_000);
    const claims = await claimAll(service, [...calm.started.keys()]);
    await calmWorker.stop();
    workers.delete(calmWorker);

    // Chaos: the worker process is killed at random moments while intakes (each delivered twice) come in.
    let kills = 0;
    let stopping = false;
    let current = await WorkerProcess.start(env);
    workers.add(current);
    const killer = (async () => {
      while (!stopping) {
        await sleep(200 + Math.random() * 1000);
        if (stopping) break;
        await current.kill();
        workers.delete(current);
        kills++;
        current = await WorkerProcess.start(env);
        workers.add(current);
      }
    })();
    const chaos = await intakeMany(service, 2_000_000, 80, true);
    stopping = true;
    await killer;
    const chaosVisible = await visibleLatencies(redis, keys, chaos.started, 60_000);
    const chaosNos = [...chaos.started.keys()];
    const chaosClaims = await claimAll(service, chaosNos);

    // Every chaos case created once (one case hash per intake), published once, and counted if announced twice
    // (a worker killed between the staff post and its record: at-least-once by design, never lost).
    let publishedTwice = 0;
    let announcedTwice = 0;
    const announced = await redis.hgetall(`${keys.root}:test:announced`);
    for (const no of chaosNos) {
      const details = (await service.details(no, { id: 'bench', partner: 'ame' })) as CaseDetails;
      if (details.audit.filter((a) => a.action === 'published').length > 1) publishedTwice++;
      if (Number(announced[no] ?? 0) > 1) announcedTwice++;
    }
    let caseKeys = 0;
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.key('ref', 'case')}:K-*`, 'COUNT', 1000);
      cursor = next;
      caseKeys += found.filter((k) => /:case:K-[0-9A-Z]+$/.test(k)).length;
    } while (cursor !== '0');
    const calmAnnouncedTwice = [...calm.started.keys(), ...burst.started.keys()].filter(
      (no) => Number(announced[no] ?? 0) > 1,
    ).length;
    const calmLatencies = [...calmVisible.values()];
    const chaosLatencies = [...chaosVisible.values()];
    return {
      cases: calm.started.size,
      intake_p50_ms: round(percentile(calm.intakeMs, 50)),
      intake_p99_ms: round(percentile(calm.intakeMs, 99)),
      visible_p50_ms: round(percentile(calmLatencies, 50)),
      visible_p99_ms: round(percentile(calmLatencies, 99)),
      visible_lost: calm.started.size - calmVisible.size,
      burst_intakes_per_s: Math.round(burst.started.size / burstSeconds),
      burst_visible_p99_ms: round(percentile([...burstVisible.values()], 99)),
      burst_lost: burst.started.size - burstVisible.size,
      announced_twice_without_kills: calmAnnouncedTwice,
      claim_pair_p99_ms: round(percentile(claims.claimMs, 99)),
      claims_won: claims.won,
      claims_refused_taken: claims.refused,
      chaos_cases: chaosNos.length,
      chaos_worker_kills: kills,
      chaos_lost: chaosNos.length - chaosVisible.size,
      chaos_duplicated: publishedTwice + chaos.redeliveryMismatches + (caseKeys - 3 * CASES),
      chaos_announced_twice: announcedTwice,
      chaos_claims_won: chaosClaims.won,
      chaos_visible_p99_ms: round(percentile(chaosLatencies, 99)),
    };
  } finally {
    for (const w of workers) await w.kill();
    await service.stop();
    await deleteKeys(redis, `${keys.root}*`);
    redis.disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchReferrals());
}
