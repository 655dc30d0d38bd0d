// `validate --strict` rules: unverified organisations that would be shown, and reviews older than 12 months,
// are errors in strict mode and warnings otherwise.
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/common/source-problems.ts';
import { loadContent } from '../../src/content/load.ts';
import { contentProblems } from '../../src/content/problems.ts';
import type { Content } from '../../src/content/schema.ts';
import { writeContent } from './write-content.ts';

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function load(spec: Parameters<typeof writeContent>[0]): Promise<Content> {
  const root = await writeContent(spec);
  roots.push(root);
  const { content, problems } = await loadContent(root);
  if (!content) throw new Error(problems.map(formatProblem).join('\n'));
  return content;
}

const NOW = Date.UTC(2026, 10, 29);

describe('contentProblems', () => {
  it('flags an unverified organisation offered after an FAQ: error when strict, warning otherwise', async () => {
    const content = await load({
      faqs: [{ id: 'help', contacts: ['ame'], status: 'reviewed' }],
      contacts: [{ id: 'ame', verified: false }],
    });
    const strict = contentProblems(content, { strict: true, now: NOW });
    expect(strict.map(formatProblem)).toEqual([
      'content/contacts/ame.yaml:9:11 verified.status: unverified organisation would be shown (offered after FAQ "help")',
    ]);
    expect(strict[0]!.severity).toBe('error');
    const plain = contentProblems(content, { strict: false, now: NOW });
    expect(plain.map((p) => p.severity)).toEqual(['warning']);
  });

  it('flags an unverified organisation listed for its regions and needs even when no FAQ names it', async () => {
    const content = await load({
      faqs: [{ id: 'help', status: 'reviewed' }],
      contacts: [{ id: 'aracem', verified: false }],
    });
    const problems = contentProblems(content, { strict: true, now: NOW });
    expect(problems.map((p) => p.message)).toEqual([
      'unverified organisation would be shown (listed for its regions and needs)',
    ]);
  });

  it('accepts a verified organisation checked within the year, and flags one checked longer ago', async () => {
    const content = await load({
      faqs: [{ id: 'help', contacts: ['fresh', 'stale'], status: 'reviewed' }],
      contacts: [
        { id: 'fresh', verified: true, verifiedOn: '2026-06-01' },
        { id: 'stale', verified: true, verifiedOn: '2025-06-01' },
      ],
    });
    const problems = contentProblems(content, { strict: true, now: NOW });
    expect(problems.map(formatProblem)).toEqual([
      'content/contacts/stale.yaml:10:7 verified.on: verified more than 12 months ago',
    ]);
  });

  it('flags an FAQ reviewed more than 12 months ago, not one reviewed within the year', async () => {
    const content = await load({
      faqs: [
        { id: 'old', reviewed: '2025-11-28', status: 'reviewed' },
        { id: 'recent', reviewed: '2025-11-29', status: 'reviewed' },
      ],
    });
    const strict = contentProblems(content, { strict: true, now: NOW });
    expect(strict.map(formatProblem)).toEqual([
      'content/faqs/old.yaml:29:11 reviewed: last reviewed 2025-11-28, more than 12 months ago: check the facts again',
    ]);
    expect(contentProblems(content, { strict: false, now: NOW }).map((p) => p.severity)).toEqual(['warning']);
    // A year later the recent one is stale too.
    expect(contentProblems(content, { strict: true, now: Date.UTC(2027, 10, 30) })).toHaveLength(2);
  });

  it('flags every FAQ a person has not reviewed, naming each language (drafts and machine drafts)', async () => {
    const content = await load({ faqs: [{ id: 'draft' }, { id: 'done', status: 'reviewed' }] });
    const strict = contentProblems(content, { strict: true, now: NOW });
    expect(strict.map(formatProblem)).toEqual([
      'content/faqs/draft.yaml:13:3 answer: not reviewed: fr draft, en draft, bm machine-draft',
    ]);
    expect(contentProblems(content, { strict: false, now: NOW }).map((p) => p.severity)).toEqual(['warning']);
  });

  it('flags an emergency number nobody called yet: people in distress would get it', async () => {
    const content = await load({
      faqs: [{ id: 'help', status: 'reviewed' }],
      emergency: [{ id: 'line', countries: ['ML'] }],
    });
    const messages = contentProblems(content, { strict: true, now: NOW }).map((p) => p.message);
    expect(messages).toContain(
      'unverified emergency number 00 would be given to people in distress: call it, then set verified, verified_by and verified_on',
    );
  });

  it('finds the shipped contacts unverified: strict validation fails until staff verify them', async () => {
    const { content } = await loadContent(new URL('../..', import.meta.url).pathname);
    const strict = contentProblems(content!, { strict: true, now: NOW });
    expect(strict.filter((p) => p.severity === 'error').length).toBeGreaterThan(0);
    expect(contentProblems(content!, { strict: false, now: NOW }).every((p) => p.severity === 'warning')).toBe(true);
  });
});
