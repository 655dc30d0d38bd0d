// Services answer data; the presenter words it in the person's language with the shipped texts: every outcome of
// an intake, a case status, a relay, an erasure and an alert list, and every notice about a case, in fr, en and bm.
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/engine/types.ts';
import type { PersonNotice } from '../../src/ports/person-notice.ts';
import { presentNotice, presentResult, type ServiceResult } from '../../src/runtime/present-results.ts';
import { shippedWords } from '../support/app.ts';

const RESULTS: ServiceResult[] = [
  { kind: 'intake', result: { created: true, no: 'K-7F3Q', partnerName: 'AME', hours: 48 } },
  { kind: 'intake', result: { created: false, reason: 'unavailable' } },
  { kind: 'intake', result: { created: false, reason: 'failed' } },
  { kind: 'case_status', result: { found: true, no: 'K-7F3Q', status: 'waiting', partnerName: 'AME' } },
  { kind: 'case_status', result: { found: true, no: 'K-7F3Q', status: 'claimed', partnerName: 'AME' } },
  { kind: 'case_status', result: { found: true, no: 'K-7F3Q', status: 'closed', partnerName: 'AME' } },
  { kind: 'case_status', result: { found: true, no: 'K-7F3Q', status: 'erased', partnerName: 'AME' } },
  { kind: 'case_status', result: { found: false, no: 'K-7F3Q', reason: 'unknown_case' } },
  { kind: 'case_status', result: { found: false, no: 'K-7F3Q', reason: 'unavailable' } },
  { kind: 'relay', result: { relayed: true } },
  { kind: 'relay', result: { relayed: false, reason: 'no_claimed_case' } },
  { kind: 'erasure', result: { erased: false, reason: 'failed' } },
  { kind: 'subscriptions', result: { available: true, topics: [] } },
  { kind: 'subscriptions', result: { available: false } },
  {
    kind: 'transfer_answer',
    no: 'K-7F3Q',
    result: { ok: true, outcome: 'moved', case: { no: 'K-7F3Q', partner: 'aracem' } },
  },
  {
    kind: 'transfer_answer',
    no: 'K-7F3Q',
    result: { ok: true, outcome: 'stays', case: { no: 'K-7F3Q', partner: 'ame' } },
  },
  { kind: 'transfer_answer', no: 'K-7F3Q', result: { ok: false, reason: 'no_proposal' } },
  { kind: 'transfer_answer', no: 'K-7F3Q', result: null },
  { kind: 'alerts_unavailable' },
  { kind: 'service_failed', effect: 'refer' },
  { kind: 'service_failed', effect: 'subscribe' },
];

const NOTICES: PersonNotice[] = [
  { type: 'case_claimed', no: 'K-7F3Q', partner: 'AME' },
  { type: 'case_closed', no: 'K-7F3Q' },
  { type: 'case_transferred', no: 'K-7F3Q', partner: 'ARACEM' },
  { type: 'staff_reply', no: 'K-7F3Q', partner: 'AME', text: 'Bonjour, nous avons ton dossier.' },
  { type: 'transfer_proposal', no: 'K-7F3Q', from: 'AME', to: 'ARACEM' },
];

/** A key shown instead of its text, or a parameter left unfilled. */
const RAW = /\b(referral|alerts|error)\.[a-z_]+\b|\{\{/;

describe('wording service results', () => {
  it('words every result in every language, with its values and no raw key', async () => {
    const w = await shippedWords();
    for (const lang of LANGUAGES) {
      for (const result of RESULTS) {
        const text = presentResult(w, result, lang)
          .flatMap((m) => m.paragraphs)
          .join('\n');
        expect(text, `${result.kind} in ${lang}`).not.toBe('');
        expect(text, `${result.kind} in ${lang}`).not.toMatch(RAW);
        // The number is repeated wherever the person's case is named (not when referrals are unavailable here).
        const named =
          (result.kind === 'transfer_answer' && result.result !== null) ||
          ('result' in result && result.result !== null && 'no' in result.result && !('reason' in result.result));
        const unknown =
          result.kind === 'case_status' && !result.result.found && result.result.reason === 'unknown_case';
        if (named || unknown) expect(text).toContain('K-7F3Q');
      }
    }
  });

  it('keeps the words people read today', async () => {
    const w = await shippedWords();
    const fr = (result: ServiceResult) => presentResult(w, result, 'fr')[0]?.paragraphs;
    expect(fr(RESULTS[0]!)).toEqual([
      'Ta demande est enregistrée. Ton numéro de dossier : K-7F3Q. Garde-le bien.',
      'AME va la recevoir. Tu auras un message ici dès qu’une personne s’en occupe ; si personne ne l’a prise dans les 48 heures, je te demanderai si elle peut passer à une autre association (rien ne change sans ton accord). Pour savoir où elle en est, envoie K-7F3Q.',
      'Si tu es en danger maintenant, écris-le ici : je te donne les numéros d’urgence.',
      'Pour retirer ta demande, écris ANNULER K-7F3Q.',
    ]);
    expect(fr(RESULTS[4]!)).toEqual(['Ton dossier K-7F3Q est suivi par AME.']);
    expect(fr(RESULTS[2]!)).toEqual([
      "Ta demande n'a pas pu être envoyée. Rien n'est perdu : réessaie dans quelques minutes.",
    ]);
    // A successful erasure or subscription says nothing here: the flow says what follows.
    expect(presentResult(w, { kind: 'erasure', result: { erased: true } }, 'fr')).toEqual([]);
    expect(presentResult(w, { kind: 'done' }, 'fr')).toEqual([]);
  });

  it('lists the alert topics a person follows by their names', async () => {
    const w = await shippedWords();
    const { content } = await import('../support/app.ts').then((m) => m.shippedBundle());
    const topic = content.alertTopics[0]!;
    const [message] = presentResult(
      w,
      { kind: 'subscriptions', result: { available: true, topics: [topic.id] } },
      'en',
    );
    expect(message!.paragraphs.slice(1)).toEqual([`• ${topic.label.en ?? topic.label.fr}`]);
  });

  it('words every notice about a case in every language', async () => {
    const w = await shippedWords();
    for (const lang of LANGUAGES) {
      for (const notice of NOTICES) {
        const message = presentNotice(w, notice, lang);
        const text = [message.title ?? '', ...message.paragraphs].join('\n');
        expect(text, `${notice.type} in ${lang}`).toContain('K-7F3Q');
        expect(text, `${notice.type} in ${lang}`).not.toMatch(RAW);
      }
    }
    const reply = presentNotice(w, NOTICES[3]!, 'en');
    expect(reply).toEqual({ title: 'AME (case K-7F3Q)', paragraphs: ['Bonjour, nous avons ton dossier.'] });
  });
});
