// A small flow set and a fake catalog for engine tests, independent of the shipped content.
import path from 'node:path';
import type { ContentCatalog, Env, Label } from '../../src/engine/types.ts';
import { loadFlows } from '../../src/flows/load.ts';
import type { FlowSet } from '../../src/flows/schema.ts';

export const FIXTURE_ROOT = path.resolve(import.meta.dirname, '../fixtures/engine');

const LANGUAGE_NAMES: Record<string, string[]> = { fr: ['Français', 'French'], en: ['English'], bm: ['Bamanankan'] };

const LABELS: Record<string, string[]> = {
  't.faq': ['Une réponse', 'An answer'],
  't.form': ['Formulaire', 'Form'],
  't.loop': ['Boucle', 'Loop'],
  'common.skip': ['Passer', 'Skip'],
  'common.cancel': ['Annuler', 'Cancel'],
};

export const catalog: ContentCatalog = {
  faqIds: new Set(['alpha', 'beta']),
  topics: [{ id: 'travel', faqIds: ['alpha', 'beta'] }],
  regions: ['bamako', 'kayes'],
  needs: ['legal'],
  alertTopics: ['urgent'],
  contactsFor: () => ['ame'],
  referralPartnerFor: () => 'ame',
  faqHasMore: (id) => id === 'alpha',
  search: (text) =>
    /passport|passeport/.test(text)
      ? { match: 'alpha', results: [{ id: 'alpha', score: 1 }], offTopic: false }
      : { match: null, results: [], offTopic: true },
  distress: (text) => (/mourir|die/.test(text) ? { category: 'suicide' } : null),
  emergencyContactsFor: (country) => (country === 'ML' ? ['ml-police'] : []),
};

export function env(overrides: Partial<Env> = {}): Env {
  return {
    lang: 'fr',
    content: catalog,
    channel: 'console',
    labelTexts: (label: Label) =>
      'key' in label ? (LABELS[label.key] ?? []) : 'language' in label ? (LANGUAGE_NAMES[label.language] ?? []) : [],
    ...overrides,
  };
}

export async function fixtureFlows(): Promise<FlowSet> {
  const result = await loadFlows(FIXTURE_ROOT, {
    hasKey: () => true,
    faqIds: catalog.faqIds,
    topicIds: new Set(['travel']),
  });
  if (!result.flowSet) throw new Error(result.problems.map((p) => p.message).join('\n'));
  return result.flowSet;
}
