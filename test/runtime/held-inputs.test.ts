// Answers kept during a Redis outage, sealed on disk (DiskHeldSpool): gone with an erasure, never kept past the
// retention, and taken by one process only when two share the data dir.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { DiskHeldSpool } from '../../src/infra/held-spool.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { HELD_MAX_AGE_MS, HeldInputs } from '../../src/runtime/held-inputs.ts';

const chat = { channel: 'whatsapp' as const, id: '22375555555@c.us' };
const answer = { kind: 'text' as const, text: 'Je suis à Sogoniko' };
let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function spoolIn(): Promise<DiskHeldSpool> {
  dir = await mkdtemp(path.join(tmpdir(), 'kf-held-unit-'));
  return new DiskHeldSpool(dir, new PersonalDataCipher(devDataKeys('held')), silentLogger());
}

describe('answers kept on disk during an outage', () => {
  it('are erased with the person', async () => {
    const spool = await spoolIn();
    const held = new HeldInputs<object>(spool);
    expect(held.hold(chat, answer, {})).toBe(true);
    expect(await readdir(dir)).toHaveLength(1);
    held.forget(chat);
    expect(await readdir(dir)).toEqual([]);
    // Nothing for a restarted process either.
    const restarted = new HeldInputs<object>(spool);
    await restarted.restore();
    expect(restarted.people()).toEqual([]);
  });

  it('are forgotten unread past the retention when a restarted process takes them over', async () => {
    const spool = await spoolIn();
    new HeldInputs<object>(spool, () => Date.now() - HELD_MAX_AGE_MS - 60_000).hold(chat, answer, {});
    const restarted = new HeldInputs<object>(spool);
    await restarted.restore();
    expect(restarted.people()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('are handled by one process only when a restarting one took them over', async () => {
    const spool = await spoolIn();
    const live = new HeldInputs<object>(spool);
    live.hold(chat, answer, {});
    const restarted = new HeldInputs<object>(spool);
    await restarted.restore();
    expect(live.take(chat)).toEqual([]);
    expect(restarted.take(chat).map((h) => h.input)).toEqual([answer]);
    expect(await readdir(dir)).toEqual([]);
  });
});
