// Synonym groups from content/synonyms.yaml. Every group gets a token ("~7"); wherever a member occurs
// (a word, or a run of words for phrases such as "sans nouvelles"), in an FAQ or in a question, that token is
// added beside the words. A question then matches an FAQ that uses another member of the group, through
// one token per group instead of one term per member (which would let broad groups swamp the score).
import { indexTerms } from './analyze.ts';

export const GROUP_MARK = '~';

export type GroupTag = { token: string /** index of the first term of the member in the terms */; at: number };

export type SynonymTable = { tag(terms: readonly string[]): GroupTag[] };

export function buildSynonyms(groupsByLang: Readonly<Record<string, readonly (readonly string[])[]>>): SynonymTable {
  // First term of a member -> the members starting with it, with their group token.
  const byFirst = new Map<string, { token: string; member: string[] }[]>();
  let count = 0;
  for (const langGroups of Object.values(groupsByLang)) {
    for (const group of langGroups) {
      const token = `${GROUP_MARK}${count++}`;
      for (const entry of group) {
        const member = indexTerms(entry);
        if (member.length === 0) continue;
        const list = byFirst.get(member[0]!) ?? [];
        if (!list.some((m) => m.token === token && same(m.member, member))) list.push({ token, member });
        byFirst.set(member[0]!, list);
      }
    }
  }
  return {
    tag(terms) {
      const out: GroupTag[] = [];
      const n = terms.length;
      for (let at = 0; at < n; at++) {
        const members = byFirst.get(terms[at]!);
        if (members === undefined) continue;
        for (const { token, member } of members) {
          if (member.length === 1 || member.every((t, k) => terms[at + k] === t)) out.push({ token, at });
        }
      }
      return out;
    },
  };
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
