// Problems that depend on production rules and today's date: answers nobody reviewed, machine drafts,
// unverified contacts and emergency lines that would be shown, and reviews older than 12 months.
// Errors under `validate --strict` (the launch gate), warnings otherwise.
import type { SourceProblem } from '../common/source-problems.ts';
import { monthsBefore, parseIsoDate } from './dates.ts';
import type { Content, Faq } from './schema.ts';
import { problemIn } from './sources.ts';

export const REVIEW_MAX_AGE_MONTHS = 12;

export function contentProblems(content: Content, options: { strict: boolean; now: number }): SourceProblem[] {
  const severity = options.strict ? 'error' : 'warning';
  const problems: SourceProblem[] = [];
  const oldest = monthsBefore(options.now, REVIEW_MAX_AGE_MONTHS);

  const referencedBy = new Map<string, string>();
  for (const faq of content.faqs.values())
    for (const c of faq.contacts) if (!referencedBy.has(c)) referencedBy.set(c, faq.id);
  const regionIds = new Set(['all', ...content.regions.map((r) => r.id)]);
  const needIds = new Set(content.needs.map((n) => n.id));

  for (const contact of content.contacts.values()) {
    const file = `content/contacts/${contact.id}.yaml`;
    if (contact.kind === 'emergency') {
      contact.channels.forEach((ch, i) => {
        if (!ch.verified)
          problems.push(
            problemIn(
              contact,
              file,
              ['channels', i, 'verified'],
              `unverified emergency number ${ch.value} would be given to people in distress: call it, then set verified, verified_by and verified_on`,
              severity,
            ),
          );
      });
    }
    if (!contact.verified.status) {
      const faq = referencedBy.get(contact.id);
      const listed = contact.regions.some((r) => regionIds.has(r)) && contact.needs.some((n) => needIds.has(n));
      if (contact.kind === 'emergency') {
        problems.push(
          problemIn(
            contact,
            file,
            ['verified', 'status'],
            'unverified emergency line would be given to people in distress (confirm the service, then set verified)',
            severity,
          ),
        );
      } else if (faq !== undefined || listed) {
        const why = faq !== undefined ? `offered after FAQ "${faq}"` : 'listed for its regions and needs';
        problems.push(
          problemIn(contact, file, ['verified', 'status'], `unverified organisation would be shown (${why})`, severity),
        );
      }
    } else if (contact.verified.on !== undefined) {
      const on = parseIsoDate(contact.verified.on);
      if (on !== null && on < oldest) {
        problems.push(
          problemIn(
            contact,
            file,
            ['verified', 'on'],
            `verified more than ${REVIEW_MAX_AGE_MONTHS} months ago`,
            severity,
          ),
        );
      }
    }
  }

  for (const faq of content.faqs.values()) {
    const file = `content/faqs/${faq.id}.yaml`;
    // One problem per FAQ, naming each language that is not reviewed (a draft, or drafted by machine).
    const unreviewed = (['fr', 'en', 'bm'] as const).flatMap((lang) => {
      const answer = faq.answer[lang];
      if (!answer) return [];
      if (answer.status !== 'reviewed') return [`${lang} ${answer.status}`];
      return answer.machine_drafted.length > 0
        ? [`${lang} points drafted by machine (${answer.machine_drafted.join(', ')})`]
        : [];
    });
    if (unreviewed.length > 0) {
      problems.push(problemIn(faq, file, ['answer'], `not reviewed: ${unreviewed.join(', ')}`, severity));
    }
    problems.push(...numbersInAnswer(content, faq, file, severity));
    const reviewed = parseIsoDate(faq.reviewed);
    if (reviewed !== null && reviewed < oldest) {
      problems.push(
        problemIn(
          faq,
          file,
          ['reviewed'],
          `last reviewed ${faq.reviewed}, more than ${REVIEW_MAX_AGE_MONTHS} months ago: check the facts again`,
          severity,
        ),
      );
    }
  }
  return problems;
}

/** Phone numbers as Malian lines are written: 8 digits in pairs (80 00 11 32), or short lines (80 333). */
const PHONE = /\b\d{2}(?: ?\d{2}){3}\b|\b80 ?\d{3}\b/g;
const digits = (text: string) => text.replace(/\D/g, '');

/**
 * A phone number written in an answer must be a verified channel of a contact: otherwise it reaches people
 * without anyone having called it (and stays wrong when the contact file is corrected).
 */
function numbersInAnswer(content: Content, faq: Faq, file: string, severity: 'error' | 'warning'): SourceProblem[] {
  const verified = new Set<string>();
  const known = new Set<string>();
  for (const c of content.contacts.values())
    for (const ch of c.channels)
      if (ch.type === 'phone' || ch.type === 'whatsapp') {
        known.add(digits(ch.value));
        if (ch.verified) verified.add(digits(ch.value));
      }
  const problems: SourceProblem[] = [];
  for (const lang of ['fr', 'en', 'bm'] as const) {
    const answer = faq.answer[lang];
    if (!answer) continue;
    for (const part of ['points', 'more'] as const)
      for (const [id, text] of Object.entries(answer[part] ?? {}))
        for (const m of text.matchAll(PHONE)) {
          const number = digits(m[0]);
          if (verified.has(number)) continue;
          const why = known.has(number) ? 'its contact channel is not verified' : 'no contact file has it';
          problems.push(
            problemIn(faq, file, ['answer', lang, part, id], `phone number ${m[0]} in the answer: ${why}`, severity),
          );
        }
  }
  return problems;
}
