// Loads content/: FAQs, contacts, the labelled lists and the synonyms; validates each file with its zod schema,
// cross-checks every reference and reports every problem at once as file:line:col.
// Checks that depend on today's date or on production rules live in problems.ts (contentProblems).
import path from 'node:path';
import { problemAt, type SourceProblem, sortProblems } from '../common/source-problems.ts';
import { checkContacts } from './check-contacts.ts';
import { checkFaqs, type KnownIds } from './check-faqs.ts';
import { DistressSchema } from './distress.ts';
import { readLists } from './lists.ts';
import { readItemFolder, readValidated } from './read.ts';
import { type Contact, ContactSchema, type Content, type Faq, FaqSchema } from './schema.ts';

export const DISTRESS_FILE = 'content/distress.yaml';

export type ContentLoadResult = { content: Content | null; problems: SourceProblem[] };

/** `root` holds the content/ folder (the repository root by default). `content` is null when there are errors. */
export async function loadContent(root: string): Promise<ContentLoadResult> {
  const absRoot = path.resolve(root);
  const faqs = await readItemFolder(absRoot, 'content/faqs', FaqSchema);
  const contacts = await readItemFolder(absRoot, 'content/contacts', ContactSchema, 'warning');
  const { lists, problems: listProblems } = await readLists(absRoot);
  const distress = await readValidated(absRoot, DISTRESS_FILE, DistressSchema);
  const problems = [...faqs.problems, ...contacts.problems, ...listProblems, ...distress.problems];

  const ids = (items: { id: string }[] | undefined) => new Set((items ?? []).map((i) => i.id));
  const known: KnownIds = {
    topics: ids(lists.topics?.value),
    regions: ids(lists.regions?.value),
    needs: ids(lists.needs?.value),
    contacts: new Set(contacts.items.map((c) => c.value.id)),
  };
  // References into a list that failed to load would all be reported as unknown: check them only when it loaded.
  if (lists.topics && lists.regions) problems.push(...(await checkFaqs(faqs.items, known, absRoot)));
  if (lists.regions && lists.needs) problems.push(...checkContacts(contacts.items, known));

  if (lists.topics) {
    const used = new Set(faqs.items.flatMap((f) => f.value.topics));
    lists.topics.value.forEach((t, i) => {
      if (!used.has(t.id)) {
        problems.push(problemAt(lists.topics!.source, [i, 'id'], `no FAQ has topic "${t.id}"`, 'warning'));
      }
    });
  }

  const sorted = sortProblems(problems);
  const { topics, regions, needs, alertTopics } = lists;
  if (sorted.some((p) => p.severity === 'error') || !topics || !regions || !needs || !alertTopics || !distress.loaded) {
    return { content: null, problems: sorted };
  }
  const content: Content = {
    faqs: new Map<string, Faq>(faqs.items.map((f) => [f.value.id, f.value])),
    contacts: new Map<string, Contact>(contacts.items.map((c) => [c.value.id, c.value])),
    topics: topics.value,
    regions: regions.value,
    needs: needs.value,
    alertTopics: alertTopics.value,
    synonyms: lists.synonyms,
    distress: distress.loaded.value,
    root: path.join(absRoot, 'content'),
  };
  return { content, problems: sorted };
}
