// The content loader reports every problem at once, each at its file:line:col, and loads the shipped content.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/common/source-problems.ts';
import { loadContent } from '../../src/content/load.ts';

const fixtures = path.join(import.meta.dirname, '../fixtures/content-broken');
const repoRoot = path.join(import.meta.dirname, '../..');

describe('loadContent', () => {
  it('loads the shipped content with its 24 FAQs and no errors', async () => {
    const { content, problems } = await loadContent(repoRoot);
    expect(problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    expect(content?.faqs.size).toBe(24);
    expect(content?.root).toBe(path.join(repoRoot, 'content'));
  });

  it('reports every kind of breakage in one run, each with file:line:col and path', async () => {
    const { content, problems } = await loadContent(path.join(fixtures, 'many'));
    expect(content).toBeNull();
    const errors = problems.filter((p) => p.severity === 'error').map(formatProblem);
    expect(errors).toEqual(
      expect.arrayContaining([
        // bad YAML
        'content/faqs/bad-yaml.yaml:3:1 invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
        // references
        'content/faqs/refs.yaml:2:18 topics.1: unknown topic "nope" (see content/topics.yaml)',
        'content/faqs/refs.yaml:3:11 regions.0: unknown region "mars" (see content/regions.yaml)',
        'content/faqs/refs.yaml:23:12 contacts.0: unknown contact "ghost" (no content/contacts/ghost.yaml)',
        'content/contacts/org.yaml:5:19 regions.1: unknown region "atlantis" (see content/regions.yaml)',
        'content/contacts/org.yaml:6:16 needs.1: unknown need "flying" (see content/needs.yaml)',
        // lengths, files, dates
        'content/faqs/refs.yaml:5:7 title.fr: title is 81 characters, at most 60',
        'content/faqs/refs.yaml:14:12 answer.fr.audio: audio file not found: content/audio/missing.ogg',
        'content/faqs/refs.yaml:21:11 reviewed: "2026-02-30" is not a real date',
        // wrong types and unknown fields
        'content/faqs/types.yaml:2:9 topics: Invalid input: expected array, received string',
        'content/faqs/types.yaml:16:13 answer.en.status: Invalid option: expected one of "reviewed"|"draft"|"machine-draft"',
        'content/faqs/types.yaml:22:1 colour: unknown field "colour"',
        // missing languages
        'content/faqs/no-fr.yaml:5:3 title.fr: missing "fr" (French is required: it is shown when a translation is missing)',
        'content/faqs/no-en.yaml:5:3 title: missing en title',
        'content/faqs/no-en.yaml:10:3 answer: missing en answer',
        // ids
        'content/faqs/dup-b.yaml:1:5 id: duplicate id "dup-a" (also in content/faqs/dup-a.yaml)',
        'content/faqs/renamed.yaml:1:5 id: id "other-name" differs from the file name "renamed.yaml"',
        'content/topics.yaml:5:7 1.id: duplicate id "travel"',
        // synonyms
        'content/synonyms.yaml:3:5 fr.1: Too small: expected array to have >=2 items',
        // distress words: every category in every language, no empty phrase, no unknown category
        'content/distress.yaml:6:3 danger.bm: missing "bm"',
        'content/distress.yaml:9:14 violence.fr.1: an empty phrase would match nothing',
        'content/distress.yaml:16:1 weather: unknown field "weather"',
      ]),
    );
    expect(errors).toHaveLength(22);
  });

  it('warns without failing: missing Bambara, topics without FAQ', async () => {
    const { problems } = await loadContent(path.join(fixtures, 'many'));
    const warnings = problems.filter((p) => p.severity === 'warning').map(formatProblem);
    expect(warnings).toContain(
      'content/faqs/dup-a.yaml:1:5 id: warning: no bm title, phrasings, answer yet (Bambara readers get French)',
    );
    expect(warnings).toContain('content/topics.yaml:8:7 2.id: warning: no FAQ has topic "unused"');
  });

  it('reports missing files and folders, and a missing synonyms file only as a warning', async () => {
    const { content, problems } = await loadContent(path.join(fixtures, 'missing-files'));
    expect(content).toBeNull();
    expect(problems.map(formatProblem)).toEqual(
      expect.arrayContaining([
        'content/topics.yaml:1:1 file not found',
        'content/regions.yaml:1:1 file not found',
        'content/needs.yaml:1:1 file not found',
        'content/alert-topics.yaml:1:1 file not found',
        'content/contacts:1:1 folder not found',
        'content/distress.yaml:1:1 file not found',
        'content/synonyms.yaml:1:1 warning: file not found',
      ]),
    );
  });

  it('sorts problems by file, then line', async () => {
    const { problems } = await loadContent(path.join(fixtures, 'many'));
    const keys = problems.map((p) => [p.file, p.line] as const);
    const sorted = [...keys].sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]);
    expect(keys).toEqual(sorted);
  });
});
