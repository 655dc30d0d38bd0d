// Texts with parameters are filled without i18next's per-call work where they use plain {{name}} placeholders:
// every text of every language must read exactly as i18next words it, with all, some or none of its parameters.
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/app/bundle.ts';
import { LANGUAGES, SOURCE_LANGUAGE } from '../../src/engine/types.ts';
import { compileTemplate, createTranslator } from '../../src/i18n/translator.ts';

describe('the translator', () => {
  it('fills every placeholder text of every language as i18next does', async () => {
    const { bundle } = await loadBundle(process.cwd());
    if (!bundle) throw new Error('bundle has errors');
    const defaults = { session_days: '30' };
    const translator = createTranslator(bundle.strings, defaults);
    const reference = i18next.createInstance();
    await reference.init({
      resources: Object.fromEntries(Object.entries(bundle.strings).map(([l, table]) => [l, { translation: table }])),
      lng: SOURCE_LANGUAGE,
      fallbackLng: { default: [SOURCE_LANGUAGE] },
      keySeparator: false,
      nsSeparator: false,
      interpolation: { escapeValue: false, defaultVariables: defaults },
      initAsync: false,
      returnNull: false,
      showSupportNotice: false,
    } as Parameters<typeof reference.init>[0]);
    let compared = 0;
    for (const lang of LANGUAGES) {
      const t = reference.getFixedT(lang);
      for (const [key, text] of Object.entries(bundle.strings[SOURCE_LANGUAGE])) {
        const names = [...String(text).matchAll(/\{\{(.+?)\}\}/g)].map((m) => m[1]!.trim());
        if (names.length === 0) continue;
        const all = Object.fromEntries(names.map((n, i) => [n, `v${i} <b>&`]));
        const some = Object.fromEntries(names.slice(1).map((n) => [n, 'x']));
        for (const params of [all, some, { unrelated: 'y' }]) {
          const expected = String(t(key, params));
          const got = translator.t(lang, key, params);
          // Missing in this language: the French text, then the translator's own mark that it is French.
          if (key in bundle.strings[lang]) expect(got).toBe(expected);
          else expect(got.startsWith(`${expected} (`)).toBe(true);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('leaves formats, nesting and unescaped values to i18next', () => {
    expect(compileTemplate('Le {{date, datetime}}')).toBeNull();
    expect(compileTemplate('Voir $t(common.menu)')).toBeNull();
    expect(compileTemplate('{{- html}}')).toBeNull();
    expect(compileTemplate('Dossier {{ no }} chez {{partner}}.')).toEqual(['Dossier ', 'no', ' chez ', 'partner', '.']);
  });
});
