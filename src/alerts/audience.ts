// Who an alert goes to: the union of the subscribers of its topics (for its regions, plus those who chose every
// region), minus those who paused, limited to some languages if the alert says so. Computed with set operations
// inside Redis, so counting or snapshotting 100,000 subscribers costs a few milliseconds.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LANGUAGES, type Lang } from '../engine/types.ts';
import type { AlertKeys } from './keys.ts';
import { ALL_REGIONS } from './types.ts';

export type AudienceFilter = {
  topics: readonly string[];
  /** Region ids, or `all` for every region. */
  regions: readonly string[] | 'all';
  /** Only people reading one of these languages; absent: everyone. */
  languages?: readonly Lang[];
};

export type AudienceCount = { total: number; byLang: Record<Lang, number> };

const SCRATCH_TTL_MS = 10 * 60_000;

/** Index sets whose union is the audience before removing paused people and filtering languages. */
export function audienceSources(keys: AlertKeys, filter: AudienceFilter): string[] {
  const sources = new Set<string>();
  for (const topic of filter.topics) {
    if (filter.regions === 'all') {
      sources.add(keys.topic(topic));
      continue;
    }
    sources.add(keys.topicRegion(topic, ALL_REGIONS));
    for (const region of filter.regions) sources.add(keys.topicRegion(topic, region));
  }
  return [...sources];
}

/** Stores the audience in `destination` (a set of members, expiring after `ttlMs`) and counts it by language. */
export async function storeAudience(
  redis: Redis,
  keys: AlertKeys,
  filter: AudienceFilter,
  destination: string,
  ttlMs: number,
): Promise<AudienceCount> {
  const sources = audienceSources(keys, filter);
  const langs = keys.scratch(`langs-${randomBytes(6).toString('hex')}`);
  const multi = redis.multi();
  if (sources.length === 0) multi.del(destination);
  else multi.sunionstore(destination, ...sources);
  multi.sdiffstore(destination, destination, keys.paused);
  if (filter.languages && filter.languages.length < LANGUAGES.length) {
    const wanted = filter.languages.map((lang) => keys.lang(lang));
    multi.sunionstore(langs, ...wanted);
    multi.sinterstore(destination, destination, langs);
    multi.del(langs);
  }
  multi.pexpire(destination, ttlMs);
  const perLang = LANGUAGES.map((lang) => keys.scratch(`${lang}-${randomBytes(6).toString('hex')}`));
  LANGUAGES.forEach((lang, i) => {
    multi.sinterstore(perLang[i]!, destination, keys.lang(lang));
  });
  multi.del(...perLang);
  multi.scard(destination);
  const results = (await multi.exec()) ?? [];
  for (const [error] of results) if (error) throw error;
  const total = Number(results[results.length - 1]?.[1] ?? 0);
  const countsAt = results.length - 2 - LANGUAGES.length;
  const byLang = Object.fromEntries(
    LANGUAGES.map((lang, i) => [lang, Number(results[countsAt + i]?.[1] ?? 0)]),
  ) as Record<Lang, number>;
  return { total, byLang };
}

/** How many people an alert would reach now, by language (the preview before publishing). */
export async function countAudience(redis: Redis, keys: AlertKeys, filter: AudienceFilter): Promise<AudienceCount> {
  const scratch = keys.scratch(`count-${randomBytes(6).toString('hex')}`);
  try {
    return await storeAudience(redis, keys, filter, scratch, SCRATCH_TTL_MS);
  } finally {
    await redis.del(scratch);
  }
}

/** Members of an audience set, in batches (SSCAN: never blocks Redis on a large set). */
export async function* scanMembers(redis: Redis, key: string, batch = 1000): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, members] = await redis.sscan(key, cursor, 'COUNT', batch);
    cursor = next;
    if (members.length > 0) yield members;
  } while (cursor !== '0');
}
