// The presenter: what a person reads for an FAQ and a contact, in their language.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Contact, Content, Faq } from '../../src/content/schema.ts';
import { createTranslator } from '../../src/i18n/translator.ts';
import { TEXT_ONLY } from '../../src/runtime/capabilities.ts';
import { createPresenter } from '../../src/runtime/present.ts';

/** A text channel that can send voice notes (WhatsApp). */
const VOICE = { ...TEXT_ONLY, voice: true };

import { outAudio } from '../audio/support.ts';
import { shippedBundle } from '../support/app.ts';

const faq: Faq = {
  id: 'demo',
  topics: ['t'],
  regions: ['all'],
  title: { fr: 'Titre', en: 'Title' },
  questions: { fr: ['q'], en: ['q'] },
  answer: {
    fr: {
      points: { main: 'Réponse.' },
      status: 'draft',
      audio: 'audio/demo-fr.ogg',
      not_applicable: [],
      machine_drafted: [],
    },
    en: { points: { main: 'Answer.' }, status: 'reviewed', not_applicable: [], machine_drafted: [] },
  },
  sources: [{ title: { fr: 'Convention', en: 'Convention' }, ref: 'UN, ch. IV-13' }],
  reviewed: '2026-11-29',
  written_by: 'AME',
  contacts: ['org'],
};

const contact = (verified: boolean): Contact => ({
  id: 'org',
  kind: 'organisation',
  countries: [],
  distress: [],
  name: 'Org',
  description: { fr: 'Aide.' },
  regions: ['bamako'],
  needs: ['legal'],
  languages: [],
  accepts_referrals: true,
  channels: [
    { type: 'phone', value: '+223 00 00 00 00', verified },
    { type: 'address', value: 'Bamako', verified: false },
  ],
  verified: { status: verified },
  sources: [],
});

const none = { fr: ['-'], en: ['-'], bm: ['-'] };
const noDistress = {
  suicide: none,
  danger: none,
  violence: none,
  injury: none,
  child_alone: none,
  detained: none,
  hunger_shelter: none,
};

async function presenter(verified: boolean) {
  const { strings } = await shippedBundle();
  const content: Content = {
    faqs: new Map([['demo', faq]]),
    contacts: new Map([['org', contact(verified)]]),
    topics: [],
    regions: [],
    needs: [],
    alertTopics: [],
    synonyms: {},
    distress: { ...noDistress },
    root: '/content',
  };
  return createPresenter(createTranslator(strings), content);
}

describe('presenter', () => {
  it('an FAQ answer cites its sources, its review date and who wrote it, and says when it is a draft', async () => {
    const p = await presenter(false);
    const [m] = p.present([{ type: 'show_faq', faqId: 'demo', part: 'short' }], 'fr', { capabilities: VOICE });
    expect(m!.title).toBe('Titre');
    expect(m!.paragraphs).toContain('Source : Convention · vérifié le 29 nov. 2026');
    expect(m!.paragraphs[0]).toContain('en relecture');
    expect(m!.paragraphs).toContain('Qui peut aider : Org (non vérifié).');
  });

  it('falls back to French, and says so, where a translation is missing', async () => {
    const p = await presenter(false);
    const [m] = p.present([{ type: 'show_faq', faqId: 'demo', part: 'short' }], 'bm', { capabilities: VOICE });
    expect(m!.paragraphs[0]).toContain('a filɛ tubabukan na');
    expect(m!.paragraphs).toContain('Réponse.');
  });

  it('attaches the voice note only when the person asked for audio and the language has one', async () => {
    const p = await presenter(false);
    const show = [{ type: 'show_faq' as const, faqId: 'demo', part: 'short' as const }];
    const audio = outAudio(path.join('/data', 'audio', 'faq-demo.fr.v1.ogg'), { item: 'faq-demo' });
    expect(
      p.present(show, 'fr', { capabilities: VOICE, wantsAudio: true, voice: { 'faq-demo': audio } })[0]!.audio,
    ).toEqual([audio]);
    expect(p.present(show, 'fr', { capabilities: VOICE, voice: { 'faq-demo': audio } })[0]!.audio).toBeUndefined();
    expect(p.present(show, 'fr', { capabilities: VOICE, wantsAudio: true, voice: {} })[0]!.audio).toBeUndefined();
    // A channel that cannot play voice notes gets none.
    const textOnly = { ...VOICE, voice: false };
    expect(
      p.present(show, 'fr', { capabilities: textOnly, wantsAudio: true, voice: { 'faq-demo': audio } })[0]!.audio,
    ).toBeUndefined();
  });

  it('offers 🔊 as a button where there are buttons, as a line to type elsewhere; a replay is heard once', async () => {
    const p = await presenter(false);
    const ask = { type: 'ask' as const, key: 'common.hint_one', choices: [], version: 2, listen: true as const };
    const [button] = p.present([ask], 'fr', { capabilities: { ...VOICE, buttons: true } });
    expect(button!.listen).toEqual({ id: 'listen', label: '🔊 Écouter' });
    const [line] = p.present([ask], 'fr', { capabilities: VOICE });
    expect(line!.listen).toBeUndefined();
    expect(line!.paragraphs.at(-1)).toBe('🔊 Pour écouter ce message, écris AUDIO.');

    const audio = outAudio('/data/audio/faq-demo.fr.v1.ogg', { item: 'faq-demo' });
    const replay = p.present(
      [
        { type: 'play_audio', items: ['faq-demo'] },
        { type: 'show_faq', faqId: 'demo', part: 'short' },
      ],
      'fr',
      { capabilities: VOICE, wantsAudio: true, voice: { 'faq-demo': audio } },
    );
    expect(replay.map((m) => m.audio?.length ?? 0)).toEqual([1, 0]);
  });

  it('never shows an unverified detail as a fact', async () => {
    const unverified = (await presenter(false)).present([{ type: 'show_contacts', contactIds: ['org'] }], 'fr', {
      capabilities: VOICE,
    })[0]!;
    expect(unverified.title).toBe('Org (non vérifié)');
    expect(unverified.paragraphs.join('\n')).not.toContain('+223');
    expect(unverified.paragraphs.join('\n')).toContain('Coordonnées en cours de vérification');
    const verified = (await presenter(true)).present([{ type: 'show_contacts', contactIds: ['org'] }], 'fr', {
      capabilities: VOICE,
    })[0]!;
    expect(verified.title).toBe('Org');
    expect(verified.paragraphs).toContain('Téléphone : +223 00 00 00 00');
    expect(verified.paragraphs.join('\n')).not.toContain('Adresse : Bamako');
  });
});

describe('texts that depend on the configuration', () => {
  it('say how long data is kept with the configured durations', async () => {
    const { loadBundle } = await import('../../src/app/bundle.ts');
    const { REPO_ROOT } = await import('../support/app.ts');
    const { bundle } = await loadBundle(REPO_ROOT, { textParams: { session_days: '7', retention_days: '90' } });
    const text = bundle!.presenter.t('en', 'data.how_long');
    expect(text).toContain('after 7 days without a message');
    expect(text).toContain('90 days after it is closed');
  });
});

describe('channel capabilities', () => {
  const ask = [
    {
      type: 'ask' as const,
      key: 'main.menu',
      choices: [
        { id: 'a', label: { key: 'common.yes' } },
        { id: 'b', label: { key: 'common.no' } },
      ],
      version: 1,
    },
  ];
  it('says how to answer only where there are no buttons', async () => {
    const { presenter } = await shippedBundle();
    expect(presenter.present(ask, 'fr', { capabilities: TEXT_ONLY })[0]!.hint).toBe('Réponds 1 ou 2.');
    expect(presenter.present(ask, 'fr', { capabilities: { ...TEXT_ONLY, buttons: true } })[0]!.hint).toBeUndefined();
  });

  it('never attaches a voice note where the channel cannot send one', async () => {
    const p = await presenter(true);
    const show = [{ type: 'show_faq' as const, faqId: 'demo', part: 'short' as const }];
    expect(p.present(show, 'fr', { capabilities: TEXT_ONLY, wantsAudio: true })[0]!.audio).toBeUndefined();
  });
});
