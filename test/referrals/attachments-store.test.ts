// The case attachment store on real Redis and a real data directory: sealed files, held files that expire and are
// swept, files kept only for their own person, and nothing left after erasure or the retention purge.
import { mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import { CaseAttachments } from '../../src/referrals/attachments.ts';
import { Pseudonyms } from '../../src/referrals/pseudonyms.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';

const AWA: ChatRef = { channel: 'whatsapp', id: '22370000009@c.us' };
const ALI: ChatRef = { channel: 'telegram', id: '4242' };
const PHOTO = { contentType: 'image/jpeg', body: Buffer.from('jpeg bytes of a summons') };

let r: TestRedis;
let dir: string;
let store: CaseAttachments;

beforeEach(async () => {
  r = await testRedis();
  dir = await mkdtemp(path.join(tmpdir(), 'kf-att-store-'));
  const pseudo = new Pseudonyms('a-secret-for-attachment-tests');
  store = new CaseAttachments({
    redis: r.redis,
    keys: r.keys,
    cipher: new PersonalDataCipher(devDataKeys('attachments')),
    dir,
    personOf: (chat) => pseudo.person(chat),
  });
});
afterEach(async () => {
  await r.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const allKeys = () => r.redis.keys(`${r.prefix}*`);

test('a held file is sealed on disk, expires unless a case keeps it, and only its own person can attach it', async () => {
  const ref = (await store.hold(AWA, PHOTO))!;
  expect(CaseAttachments.isRef(ref)).toBe(true);
  const [name] = await readdir(dir);
  expect((await readFile(path.join(dir, name!), 'utf8')).includes('summons')).toBe(false);
  // Redis holds neither the chat id nor the content.
  for (const key of await allKeys()) {
    expect(key).not.toContain('22370000009');
    const type = await r.redis.type(key);
    const values = type === 'hash' ? Object.values(await r.redis.hgetall(key)) : await r.redis.smembers(key);
    expect(values.join(' ')).not.toMatch(/22370000009|summons/);
  }
  expect(await r.redis.ttl(r.keys.key('att', ref.slice(4)))).toBeGreaterThan(0);

  expect(await store.keep(ALI, 'salt', [ref])).toEqual([]);
  expect(await store.keep(AWA, 'salt', [ref])).toEqual([ref]);
  expect(await r.redis.ttl(r.keys.key('att', ref.slice(4)))).toBe(-1);
  expect(await store.open(ref)).toEqual({ contentType: 'image/jpeg', body: PHOTO.body });
  expect(await store.describe([ref, 'wa:ABC'])).toEqual([{ contentType: 'image/jpeg', size: PHOTO.body.length }, null]);
});

test('a held file whose time ran out is swept from the disk; a platform file is read at intake', async () => {
  const ref = (await store.hold(AWA, PHOTO))!;
  await r.redis.persist(r.keys.key('att', ref.slice(4)));
  const forgotten = (await store.hold(AWA, { contentType: 'audio/ogg', body: Buffer.from('voice') }))!;
  // What Redis does when the hold's expiry passes, and a file older than the sweep's grace minute.
  await r.redis.del(r.keys.key('att', forgotten.slice(4)));
  const old = new Date(Date.now() - 120_000);
  await utimes(path.join(dir, forgotten.slice(4)), old, old);
  expect(await store.sweep()).toBe(1);
  expect(await readdir(dir)).toEqual([ref.slice(4)]);
  expect(await store.open(forgotten)).toBeNull();

  const fetched: string[] = [];
  store.setFetcher('telegram', async (id) => {
    fetched.push(id);
    return id === 'file-ok' ? { contentType: 'audio/ogg', body: Buffer.from('OggS') } : null;
  });
  const kept = await store.keep(ALI, 'intake-1', ['file-ok', 'file-gone']);
  expect(fetched).toEqual(['file-ok', 'file-gone']);
  expect(CaseAttachments.isRef(kept[0]!)).toBe(true);
  expect(kept[1]).toBe('file-gone');
  // A retried intake rewrites the same file instead of adding one.
  expect(await store.keep(ALI, 'intake-1', ['file-ok'])).toEqual([kept[0]]);
  expect(await readdir(dir)).toHaveLength(2);
});

test('erasure removes every file of the person; the retention purge removes those of the case', async () => {
  const held = (await store.hold(AWA, PHOTO))!;
  const other = (await store.hold(ALI, PHOTO))!;
  await store.linkCase('K-AAAA', await store.keep(AWA, 's', [held]));
  await store.linkCase('K-BBBB', await store.keep(ALI, 's', [other]));

  expect(await store.eraseFor(AWA)).toBe(1);
  expect(await store.open(held)).toBeNull();
  expect(await readdir(dir)).toEqual([other.slice(4)]);

  await store.forgetCase('K-BBBB');
  expect(await readdir(dir)).toEqual([]);
  await store.eraseFor(ALI);
  expect(await allKeys()).toEqual([]);
});

test('an unusual type is served as a plain download; an empty or too large file is not kept', async () => {
  const ref = (await store.hold(AWA, { contentType: 'text/html<script>', body: Buffer.from('<b>') }))!;
  expect((await store.open(ref))?.contentType).toBe('application/octet-stream');
  expect(await store.hold(AWA, { contentType: 'image/png', body: Buffer.alloc(0) })).toBeNull();
  expect(await store.hold(AWA, { contentType: 'image/png', body: Buffer.alloc(20 * 1024 * 1024 + 1) })).toBeNull();
});
