// A referral worker in its own process, for crash tests and the benchmark: started with `node --import tsx`,
// killed with SIGKILL. It counts completed staff announcements per case in Redis (`<root>:test:announced`), and with
// KF_HANG_FIRST=1 it hangs inside its first announcement (after the case was published, before the job completes)
// after printing `hang <case>`, so a test can kill it mid-job.
import { Redis } from 'ioredis';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import { RedisKeys } from '../../../src/infra/keys.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { createReferralService } from '../../../src/referrals/service.ts';
import type { StaffNotifier } from '../../../src/referrals/staff-notifier.ts';
import { startReferralWorker } from '../../../src/referrals/worker.ts';
import { shippedNotices } from '../../support/app.ts';
import { PARTNERS } from './referrals.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const redis = new Redis(env('KF_REDIS_URL'), { maxRetriesPerRequest: null });
const keys = new RedisKeys(env('KF_PREFIX'));
const counter = `${keys.root}:test:announced`;
let hangFirst = process.env.KF_HANG_FIRST === '1';

const notifier: StaffNotifier = {
  async notify(event) {
    if (event.type !== 'waiting') return;
    if (hangFirst) {
      hangFirst = false;
      process.stdout.write(`hang ${event.case.no}\n`);
      await new Promise(() => {});
    }
    await redis.hincrby(counter, event.case.no, 1);
  },
};

const service = createReferralService({
  notices: await shippedNotices(),
  redis,
  keys,
  cipher: new PersonalDataCipher(devDataKeys(env('KF_DATA_PASSPHRASE'))),
  partners: PARTNERS,
  outbox: { send: async () => {} },
  notifier,
  clock: systemClock,
  options: {
    fallbackPartner: 'aracem',
    pseudonymSecret: env('KF_SECRET'),
    announceLeaseMs: Number(process.env.KF_ANNOUNCE_LEASE_MS ?? 30_000),
  },
});

const worker = await startReferralWorker({
  service,
  redis,
  keys,
  options: {
    concurrency: Number(process.env.KF_CONCURRENCY ?? 8),
    lockDurationMs: Number(process.env.KF_LOCK_MS ?? 1500),
    stalledIntervalMs: Number(process.env.KF_STALLED_MS ?? 500),
    deadlinesEveryMs: 0,
    retentionEveryMs: 0,
  },
});
process.stdout.write('ready\n');

process.on('SIGTERM', async () => {
  await worker.close();
  await service.stop();
  redis.disconnect();
  process.exit(0);
});
