import { readdir, readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Contact, ContactSchema } from '../../src/content/schema.ts';
import { partnersFromContacts, routePartner } from '../../src/referrals/partners.ts';
import { shippedNotices } from '../support/app.ts';
import {
  caseNumberIn,
  newChat,
  PARTNERS,
  type ReferralFixture,
  referEffect,
  referralFixture,
} from './support/referrals.ts';

describe('routing a need in a region to a partner', () => {
  it('prefers a partner of that region covering that need', () => {
    expect(routePartner(PARTNERS, 'legal', 'bamako', 'aracem')).toBe('ame');
    expect(routePartner(PARTNERS, 'housing', 'gao', 'aracem')).toBe('gao-house');
  });

  it('takes a partner serving all regions when none covers the region', () => {
    expect(routePartner(PARTNERS, 'legal', 'kayes', 'aracem')).toBe('network');
  });

  it('falls back when nobody covers the need there', () => {
    expect(routePartner(PARTNERS, 'family-tracing', 'kayes', 'aracem')).toBe('aracem');
    expect(routePartner(PARTNERS, 'health', 'mopti', 'aracem')).toBe('aracem');
    expect(routePartner(PARTNERS, '', '', 'aracem')).toBe('aracem');
  });

  it('keeps only the shipped contacts that accept referrals', async () => {
    const files = (await readdir('content/contacts')).filter((f) => f.endsWith('.yaml'));
    const contacts: Contact[] = await Promise.all(
      files.map(async (f) => ContactSchema.parse(parse(await readFile(`content/contacts/${f}`, 'utf8')))),
    );
    const partners = partnersFromContacts(contacts);
    const ids = partners.map((p) => p.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual(contacts.filter((c) => c.accepts_referrals).map((c) => c.id));
    expect(contacts.some((c) => !c.accepts_referrals)).toBe(true);
  });
});

describe('a referral lands in the routed partner queue', () => {
  let f: ReferralFixture;
  beforeEach(async () => {
    f = await referralFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('puts a legal case from Gao in the Gao partner queue, and an uncovered need with the fallback', async () => {
    const gao = caseNumberIn(await f.service.intake(newChat(), referEffect({ region: 'gao' }), 'fr'));
    const other = caseNumberIn(
      await f.service.intake(newChat(), referEffect({ need: 'family-tracing', region: 'kayes' }), 'fr'),
    );
    await f.service.dispatch(gao);
    await f.service.dispatch(other);
    expect((await f.service.listQueue('gao-house')).waiting.map((c) => c.no)).toEqual([gao]);
    expect((await f.service.listQueue('aracem')).waiting.map((c) => c.no)).toEqual([other]);
    expect((await f.service.listQueue('ame')).waiting).toEqual([]);
  });

  it('refuses to start with a fallback partner that takes no referrals', async () => {
    const { createReferralService } = await import('../../src/referrals/service.ts');
    const notices = await shippedNotices();
    expect(() =>
      createReferralService({
        notices,
        redis: f.redis,
        keys: f.keys,
        cipher: f.cipher,
        partners: PARTNERS,
        outbox: f.outbox,
        notifier: f.notifier,
        clock: f.clock,
        options: { fallbackPartner: 'dgme', pseudonymSecret: f.secret },
      }),
    ).toThrow(/dgme/);
  });
});
