import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ANNOUNCE_LEASE_MS, type CaseDetails } from '../../src/referrals/service.ts';
import { REFERRAL_WORKER_TIMING } from '../../src/referrals/worker.ts';
import { TEST_REDIS_URL } from '../support/redis.ts';
import {
  caseNumberIn,
  eventually,
  newChat,
  type ReferralFixture,
  referEffect,
  referralFixture,
} from './support/referrals.ts';
import { type WorkerChildEnv, WorkerProcess } from './support/worker-process.ts';

describe('a referral worker killed with SIGKILL in the middle of a job', () => {
  let f: ReferralFixture;
  const workers: WorkerProcess[] = [];
  beforeEach(async () => {
    f = await referralFixture();
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
    await f.cleanup();
  });

  it('leaves the case recovered by another worker and processed once', async () => {
    const env: WorkerChildEnv = {
      KF_REDIS_URL: TEST_REDIS_URL,
      KF_PREFIX: f.prefix,
      KF_SECRET: f.secret,
      KF_DATA_PASSPHRASE: f.dataPassphrase,
      KF_LOCK_MS: '1500',
      KF_STALLED_MS: '300',
      KF_ANNOUNCE_LEASE_MS: '2000',
    };
    const doomed = await WorkerProcess.start({ ...env, KF_HANG_FIRST: '1' });
    workers.push(doomed);
    const chat = newChat();
    const no = caseNumberIn(await f.service.intake(chat, referEffect(), 'fr'));
    expect(await doomed.waitFor(/^hang /)).toBe(`hang ${no}`);
    // The job is active, the case published but the staff not yet told: kill the worker there.
    expect(await f.service.queue.getJobCounts('active')).toEqual({ active: 1 });
    await doomed.kill();

    const rescuer = await WorkerProcess.start(env);
    workers.push(rescuer);
    const announced = `${f.keys.root}:test:announced`;
    await eventually(async () => ((await f.redis.hget(announced, no)) ? true : undefined), 20_000);
    await eventually(async () => {
      const counts = await f.service.queue.getJobCounts('active', 'waiting', 'delayed', 'failed');
      return Object.values(counts).every((n) => n === 0) ? true : undefined;
    }, 20_000);
    // The same intake delivered again after the crash changes nothing either.
    expect(caseNumberIn(await f.service.intake(chat, referEffect(), 'fr'))).toBe(no);

    expect(await f.redis.hgetall(announced)).toEqual({ [no]: '1' });
    const details = (await f.service.details(no, { id: 'web:x', partner: 'ame' })) as CaseDetails;
    expect(details.audit.filter((a) => a.action === 'published')).toHaveLength(1);
    expect((await f.service.listQueue('ame')).waiting.map((c) => c.no)).toEqual([no]);
    expect(await f.service.openCasesOf(chat)).toHaveLength(1);
  });

  it('with the production timing, a case held by a killed worker reaches staff within 10 s', async () => {
    const env: WorkerChildEnv = {
      KF_REDIS_URL: TEST_REDIS_URL,
      KF_PREFIX: f.prefix,
      KF_SECRET: f.secret,
      KF_DATA_PASSPHRASE: f.dataPassphrase,
      KF_LOCK_MS: String(REFERRAL_WORKER_TIMING.lockDurationMs),
      KF_STALLED_MS: String(REFERRAL_WORKER_TIMING.stalledIntervalMs),
      KF_ANNOUNCE_LEASE_MS: String(ANNOUNCE_LEASE_MS),
    };
    // Another worker is already running (as in production with two processes, or one restarted at once).
    const rescuer = await WorkerProcess.start(env);
    workers.push(rescuer);
    const doomed = await WorkerProcess.start({ ...env, KF_HANG_FIRST: '1' });
    workers.push(doomed);
    // Both take jobs: send cases one at a time until the doomed worker hangs on one (the others are announced).
    let hangLine: string | undefined;
    const hung = doomed.waitFor(/^hang /, 60_000).then((line) => {
      hangLine = line;
      return line;
    });
    const announced = `${f.keys.root}:test:announced`;
    const numbers: string[] = [];
    while (!hangLine && numbers.length < 40) {
      const n = caseNumberIn(await f.service.intake(newChat(), referEffect(), 'fr'));
      numbers.push(n);
      await eventually(async () => (hangLine || (await f.redis.hget(announced, n)) ? true : undefined), 20_000);
    }
    const no = (await hung).slice('hang '.length);
    await doomed.kill();
    const killedAt = Date.now();
    await eventually(async () => ((await f.redis.hget(announced, no)) ? true : undefined), 20_000);
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan(10_000);
    for (const n of numbers) {
      await eventually(async () => ((await f.redis.hget(announced, n)) ? true : undefined), 20_000);
    }
  });
});
