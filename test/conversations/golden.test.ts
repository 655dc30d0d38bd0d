// Golden transcripts of the shipped flows, as the terminal chat shows them, in fr, en and bm: each file in
// test/fixtures/golden/transcripts holds what the person typed ("> " lines) and what the bot answered.
// After a deliberate change, `npm run golden` rewrites them: review the diff like code.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { recordingReferrals, recordingSubscriptions, talk } from './talk.ts';

const DIR = path.resolve(import.meta.dirname, '../fixtures/golden/transcripts');
const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'));

// A fresh bot per transcript: case numbers and subscriptions do not depend on the other files.
let app: TestApp;
beforeEach(async () => {
  app = await createTestApp({ referrals: recordingReferrals(), subscriptions: recordingSubscriptions() });
});
afterEach(async () => {
  await app.close();
});

/** The header (comment lines) and the person's lines of a transcript. */
function parse(text: string): { header: string[]; inputs: string[] } {
  const lines = text.split('\n');
  return {
    header: lines.filter((l) => l.startsWith('# ')),
    inputs: lines.filter((l) => l.startsWith('> ')).map((l) => l.slice(2)),
  };
}

describe('golden transcripts of the shipped flows', () => {
  it('covers the three languages', () => {
    for (const lang of ['fr', 'en', 'bm']) expect(files.some((f) => f.startsWith(`${lang}-`))).toBe(true);
  });

  for (const file of files) {
    it(file, async () => {
      const expected = readFileSync(path.join(DIR, file), 'utf8');
      const { header, inputs } = parse(expected);
      const turns = await talk(app, { channel: 'console', id: `golden-${file}` }, inputs);
      const actual = `${[...header, ...turns.map((t) => `> ${t.said}\n${t.text}`)].join('\n\n')}\n`;
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path.join(DIR, file), actual);
      expect(actual).toBe(expected);
    });
  }
});
