// Checks of each contact beyond its schema: regions and needs exist, dates are real.
import { type PathPart, problemAt, type SourceProblem } from '../common/source-problems.ts';
import { ALL_REGIONS, type KnownIds } from './check-faqs.ts';
import { parseIsoDate } from './dates.ts';
import type { Loaded } from './read.ts';
import type { Contact } from './schema.ts';

export function checkContacts(contacts: Loaded<Contact>[], known: KnownIds): SourceProblem[] {
  const problems: SourceProblem[] = [];
  for (const { value: contact, source } of contacts) {
    const at = (p: PathPart[], message: string, severity: 'error' | 'warning' = 'error') =>
      problems.push(problemAt(source, p, message, severity));
    contact.regions.forEach((r, i) => {
      if (r !== ALL_REGIONS && !known.regions.has(r))
        at(['regions', i], `unknown region "${r}" (see content/regions.yaml)`);
    });
    contact.needs.forEach((n, i) => {
      if (!known.needs.has(n)) at(['needs', i], `unknown need "${n}" (see content/needs.yaml)`);
    });
    if (contact.verified.on !== undefined && parseIsoDate(contact.verified.on) === null) {
      at(['verified', 'on'], `"${contact.verified.on}" is not a real date`);
    }
    if (contact.verified.status && !contact.verified.on) {
      at(['verified'], 'verified: say when (on: YYYY-MM-DD) and by whom (by: ...)', 'warning');
    }
    contact.channels.forEach((ch, i) => {
      if (ch.verified_on !== undefined && parseIsoDate(ch.verified_on) === null) {
        at(['channels', i, 'verified_on'], `"${ch.verified_on}" is not a real date`);
      }
      if (ch.verified && !ch.verified_on) {
        at(['channels', i], 'a verified detail needs verified_on (YYYY-MM-DD) and verified_by', 'warning');
      }
    });
  }
  return problems;
}
