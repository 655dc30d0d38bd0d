// Distress words and emergency lines: the shipped words catch distress in fr/en/bm, informal spellings
// included, without taking ordinary rights questions for distress; emergency lines are given only for the
// country where they work.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateCare, parseCareCases } from '../../src/content/care-eval.ts';
import { buildCatalog } from '../../src/content/catalog.ts';
import { createDistressMatcher } from '../../src/content/distress.ts';
import { loadContent } from '../../src/content/load.ts';
import { createFaqSearch } from '../../src/content/search/index.ts';
import { writeContent } from './write-content.ts';

const repoRoot = path.join(import.meta.dirname, '../..');
const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

describe('the shipped distress words', async () => {
  const { content } = await loadContent(repoRoot);
  const catalog = buildCatalog(content!, createFaqSearch(content!));
  const cases = parseCareCases(await readFile(path.join(repoRoot, 'test/fixtures/care-eval.jsonl'), 'utf8'));
  const report = evaluateCare(cases, createDistressMatcher(content!.distress));

  it('are measured on at least 60 distress messages in each of three languages and ordinary questions', () => {
    expect(report.distress).toBeGreaterThanOrEqual(60);
    expect(report.ordinary).toBeGreaterThanOrEqual(60);
    for (const lang of ['fr', 'en', 'bm']) expect(report.perLang[lang]?.distress ?? 0).toBeGreaterThanOrEqual(15);
  });

  it('recognise at least 95% of distress messages and take at most 5% of ordinary questions for distress', () => {
    expect(report.recall).toBeGreaterThanOrEqual(0.95);
    expect(report.falseAlarms).toBeLessThanOrEqual(0.05);
  });

  it('recognise the messages people sent that got "off topic" before, whatever the session language', () => {
    const said = (text: string, lang: 'fr' | 'en' | 'bm' | null) => catalog.distress(text, lang)?.category ?? null;
    expect(said('je veux me suicider', 'fr')).toBe('suicide');
    expect(said('ils vont me tuer aidez moi', 'fr')).toBe('danger');
    expect(said('ma soeur a ete violee sur la route', 'fr')).toBe('violence');
    expect(said('je dors dehors ce soir jai rien a manger', 'fr')).toBe('hunger_shelter');
    expect(said('i want to end my life', 'en')).toBe('suicide');
    expect(said("n b'a fɛ ka sa", 'bm')).toBe('suicide');
    expect(said('n bana kosɛbɛ', 'bm')).toBe('injury');
    expect(said('JVEUX MOURIR', 'bm')).toBe('suicide');
    expect(said("J'AI FAIM", null)).toBe('hunger_shelter');
  });

  it('leave ordinary questions that share words alone', () => {
    expect(catalog.distress("J'ai été arrêté à l'étranger, que faire ?", 'fr')).toBeNull();
    expect(catalog.distress('aidez moi pour mon passeport', 'fr')).toBeNull();
    expect(catalog.distress('quel est le prix du mouton pour la tabaski', 'fr')).toBeNull();
    expect(catalog.distress('je viens du congo, comment demander l asile', 'fr')).toBeNull();
    expect(catalog.distress('', 'fr')).toBeNull();
  });

  it('give the Malian lines only to someone in Mali, the violence line first for violence', () => {
    const ml = catalog.emergencyContactsFor('ML');
    expect(ml.length).toBeGreaterThan(0);
    for (const id of ml) expect(content!.contacts.get(id)?.kind).toBe('emergency');
    expect(catalog.emergencyContactsFor('ml')).toEqual(ml);
    expect(catalog.emergencyContactsFor('ML', 'violence')[0]).toBe('ml-women-violence-line');
    expect(catalog.emergencyContactsFor('ML', 'injury')[0]).toBe('ml-civil-protection');
    for (const country of ['DZ', 'LY', 'NE', 'MR']) expect(catalog.emergencyContactsFor(country)).toEqual([]);
    expect(catalog.emergencyContactsFor(null)).toEqual([]);
  });

  it('never list an emergency line among the organisations near a person', () => {
    for (const region of content!.regions.map((r) => r.id))
      for (const need of content!.needs.map((n) => n.id))
        for (const id of catalog.contactsFor(region, need))
          expect(content!.contacts.get(id)?.kind).toBe('organisation');
  });

  it('ship every emergency number unverified, with the source it was read in', () => {
    const lines = [...content!.contacts.values()].filter((c) => c.kind === 'emergency');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const c of lines) {
      expect(c.sources.length).toBeGreaterThan(0);
      expect(c.channels.every((ch) => !ch.verified)).toBe(true);
    }
  });
});

describe('distress words edited by staff', () => {
  it('match the phrases of the file, with a trailing * for any ending', async () => {
    const root = await writeContent({
      faqs: [{ id: 'help' }],
      emergency: [{ id: 'line', countries: ['ML'] }],
      distress: `suicide: {fr: [suicid*], en: [end my life], bm: ["n b'a fɛ ka sa"]}
danger: {fr: [au secours], en: [save me], bm: [n kisi]}
violence: {fr: [viol], en: [rape], bm: [u ye n gosi]}
injury: {fr: [blesse], en: [injured], bm: [n joginna]}
child_alone: {fr: [enfant seul], en: [child alone], bm: [denmisɛn kelen]}
detained: {fr: [je suis en prison], en: [i am in jail], bm: [n bɛ kaso la]}
hunger_shelter: {fr: [j ai faim], en: [hungry], bm: [kɔngɔ bɛ n na]}
`,
    });
    roots.push(root);
    const { content } = await loadContent(root);
    const match = createDistressMatcher(content!.distress);
    expect(match('je pense au SUICIDE', 'fr')).toEqual({ category: 'suicide' });
    expect(match('Je suis suicidaire', 'fr')).toEqual({ category: 'suicide' });
    expect(match('Au secours !', 'en')).toEqual({ category: 'danger' });
    expect(match('jsuis en prison', 'fr')).toEqual({ category: 'detained' });
    expect(match('secours', 'fr')).toBeNull();
    expect(buildCatalog(content!, createFaqSearch(content!)).emergencyContactsFor('ML')).toEqual(['line']);
  });
});
