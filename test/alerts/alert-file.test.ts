// Alert files: what staff write, and every mistake reported at once with file:line:col.
import { describe, expect, it } from 'vitest';
import { parseAlertFile, parseAlertTime } from '../../src/alerts/alert-file.ts';
import { formatProblem } from '../../src/common/source-problems.ts';

const known = {
  topics: new Set(['urgent', 'travel', 'documents-passports']),
  regions: new Set(['bamako', 'kayes', 'gao']),
};
const NOW = Date.parse('2025-06-10T12:00:00Z');

const parse = (text: string) => parseAlertFile('alerts/a.yaml', text, known, NOW);
const messages = (text: string) => parse(text).problems.map(formatProblem);

describe('alert files', () => {
  it('reads a complete alert', () => {
    const { alert, problems } = parse(`
id: border-kayes-2025-06
topics: [travel, urgent]
regions: [kayes, gao]
languages: [fr, en]
send_at: 2025-06-12 08:00
expires: 2025-06-14
text:
  fr: |
    La frontière de Diboli est fermée.
    Ne partez pas avant d'avoir des nouvelles.
  en: The Diboli border is closed.
`);
    expect(problems).toEqual([]);
    expect(alert).toEqual({
      id: 'border-kayes-2025-06',
      topics: ['travel', 'urgent'],
      regions: ['kayes', 'gao'],
      languages: ['fr', 'en'],
      sendAt: Date.parse('2025-06-12T08:00:00Z'),
      expires: Date.parse('2025-06-14T23:59:59.999Z'),
      text: {
        fr: "La frontière de Diboli est fermée.\nNe partez pas avant d'avoir des nouvelles.",
        en: 'The Diboli border is closed.',
      },
    });
  });

  it('names the required fields that are missing', () => {
    expect(messages('send_at: 2025-06-12\n')).toEqual([
      'alerts/a.yaml:1:1 id: id is required',
      'alerts/a.yaml:1:1 topics: topics is required',
      'alerts/a.yaml:1:1 regions: regions (a list, or: all) is required',
      'alerts/a.yaml:1:1 text: text (fr, and en and bm if you have them) is required',
    ]);
  });

  it('accepts "regions: all" and needs only the French text', () => {
    const { alert } = parse('id: a1\ntopics: [urgent]\nregions: all\ntext:\n  fr: Attention.\n');
    expect(alert).toEqual({ id: 'a1', topics: ['urgent'], regions: 'all', text: { fr: 'Attention.' } });
    expect(messages('id: a1\ntopics: [urgent]\nregions: everywhere\ntext: { fr: x }\n')).toEqual([
      'alerts/a.yaml:3:10 regions: expected "all" or a list of region ids',
    ]);
  });

  it('reports every mistake at once, each at its place', () => {
    const out = messages(`id: Bad Id
topics: [urgent, weather]
regions: [kayes, timbuktu]
expires: 2025-06-01
text:
  en: English only
  wo: Wolof
`);
    expect(out).toEqual([
      'alerts/a.yaml:1:5 id: an id is lowercase letters, digits and dashes, e.g. "border-closed-2025-06"',
      'alerts/a.yaml:2:18 topics.1: unknown alert topic "weather" (known: urgent, travel, documents-passports)',
      'alerts/a.yaml:3:18 regions.1: unknown region "timbuktu" (known: bamako, kayes, gao)',
      'alerts/a.yaml:4:10 expires: this alert has already expired',
      'alerts/a.yaml:6:3 text.fr: the French text (fr) is required',
      'alerts/a.yaml:7:3 text.wo: unknown field "wo"',
    ]);
  });

  it('checks topics, regions and dates against the content and the clock', () => {
    const out = messages(`id: a2
topics: [urgent, weather]
regions: [kayes, timbuktu]
send_at: 2025-06-20 10:00
expires: 2025-06-19
text:
  fr: Bonjour
`);
    expect(out).toEqual([
      'alerts/a.yaml:2:18 topics.1: unknown alert topic "weather" (known: urgent, travel, documents-passports)',
      'alerts/a.yaml:3:18 regions.1: unknown region "timbuktu" (known: bamako, kayes, gao)',
      'alerts/a.yaml:5:10 expires: expires before it is sent (send_at)',
    ]);
    expect(messages('id: a3\ntopics: [urgent]\nregions: all\nexpires: 2025-06-09 10:00\ntext: { fr: x }\n')).toEqual([
      'alerts/a.yaml:4:10 expires: this alert has already expired',
    ]);
  });

  it('reports bad YAML, bad dates and texts too long for one Telegram message', () => {
    expect(messages('id: a4\ntopics: [urgent\n')[0]).toMatch(/^alerts\/a\.yaml:\d+:\d+ invalid YAML: /);
    expect(messages('id: a5\ntopics: [urgent]\nregions: all\nsend_at: tomorrow\ntext: { fr: x }\n')).toEqual([
      'alerts/a.yaml:4:10 send_at: expected a date and time such as "2025-06-12 08:00" (Bamako time, GMT) or "2025-06-12T08:00:00Z"',
    ]);
    const long = 'x'.repeat(4097);
    expect(messages(`id: a6\ntopics: [urgent]\nregions: all\ntext: { fr: ${long} }\n`)).toEqual([
      "alerts/a.yaml:4:13 text.fr: longer than 4096 characters (Telegram's limit for one message)",
    ]);
  });

  it('warns when a language the alert targets has no text of its own', () => {
    const { alert, problems } = parse('id: a7\ntopics: [urgent]\nregions: all\nlanguages: [bm]\ntext: { fr: x }\n');
    expect(alert?.languages).toEqual(['bm']);
    expect(problems.map(formatProblem)).toEqual([
      'alerts/a.yaml:4:12 languages: warning: no "bm" text: people reading bm will get the French text',
    ]);
  });

  it('reads times in Bamako time (GMT) unless an offset is given', () => {
    expect(parseAlertTime('2025-06-12 08:00', 'start')).toBe(Date.parse('2025-06-12T08:00:00Z'));
    expect(parseAlertTime('2025-06-12T08:00:00+01:00', 'start')).toBe(Date.parse('2025-06-12T07:00:00Z'));
    expect(parseAlertTime('2025-06-12', 'end')).toBe(Date.parse('2025-06-13T00:00:00Z') - 1);
    expect(parseAlertTime('2025-02-30', 'start')).toBeNull();
    expect(parseAlertTime('12/06/2025', 'start')).toBeNull();
  });
});

describe('the example in docs/alerts.md', () => {
  it('is a valid alert today, with no placeholder text that would be broadcast', async () => {
    const { readFile } = await import('node:fs/promises');
    const { REPO_ROOT } = await import('../support/app.ts');
    const doc = await readFile(`${REPO_ROOT}/docs/alerts.md`, 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const { readLists } = await import('../../src/content/lists.ts');
    const { lists } = await readLists(REPO_ROOT);
    const content = {
      topics: new Set((lists.alertTopics?.value ?? []).map((t) => t.id)),
      regions: new Set((lists.regions?.value ?? []).map((r) => r.id)),
    };
    const { alert, problems } = parseAlertFile('docs/alerts.md', example!, content, Date.now());
    expect(problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    expect(alert).not.toBeNull();
    for (const text of Object.values(alert!.text)) expect(text).not.toMatch(/^\s*\.\.\.\s*$|\.\.\.$/m);
  });
});
