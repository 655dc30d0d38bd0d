// The small labelled lists (topics, regions, needs, alert topics) and the synonyms file.
import type { SourceProblem } from '../common/source-problems.ts';
import { problemAt } from '../common/source-problems.ts';
import { type Loaded, readValidated } from './read.ts';
import { type LabelledItemT, LabelledList, type OffTopicPhrases, OffTopicSchema, SynonymsSchema } from './schema.ts';

export type Lists = {
  topics: Loaded<LabelledItemT[]> | null;
  regions: Loaded<LabelledItemT[]> | null;
  needs: Loaded<LabelledItemT[]> | null;
  alertTopics: Loaded<LabelledItemT[]> | null;
  synonyms: Record<string, string[][]>;
  offTopic: OffTopicPhrases;
};

export const LIST_FILES = {
  topics: 'content/topics.yaml',
  regions: 'content/regions.yaml',
  needs: 'content/needs.yaml',
  alertTopics: 'content/alert-topics.yaml',
  synonyms: 'content/synonyms.yaml',
  offTopic: 'content/off-topic.yaml',
} as const;

export async function readLists(root: string): Promise<{ lists: Lists; problems: SourceProblem[] }> {
  const problems: SourceProblem[] = [];
  const list = async (rel: string) => {
    const read = await readValidated(root, rel, LabelledList);
    problems.push(...read.problems);
    if (read.loaded) problems.push(...duplicateIds(read.loaded));
    return read.loaded;
  };
  const topics = await list(LIST_FILES.topics);
  const regions = await list(LIST_FILES.regions);
  const needs = await list(LIST_FILES.needs);
  const alertTopics = await list(LIST_FILES.alertTopics);
  // Search works without synonyms, so a missing file is only a warning.
  const syn = await readValidated(root, LIST_FILES.synonyms, SynonymsSchema, false);
  problems.push(...syn.problems);
  const synonyms: Record<string, string[][]> = {};
  for (const [lang, groups] of Object.entries(syn.loaded?.value ?? {})) if (groups) synonyms[lang] = groups;
  // Off-topic decoys only sharpen the search: a missing file is a warning.
  const off = await readValidated(root, LIST_FILES.offTopic, OffTopicSchema, false);
  problems.push(...off.problems);
  const offTopic: OffTopicPhrases = off.loaded?.value ?? {};
  return { lists: { topics, regions, needs, alertTopics, synonyms, offTopic }, problems };
}

function duplicateIds(loaded: Loaded<LabelledItemT[]>): SourceProblem[] {
  const seen = new Set<string>();
  const out: SourceProblem[] = [];
  loaded.value.forEach((item, i) => {
    if (seen.has(item.id)) out.push(problemAt(loaded.source, [i, 'id'], `duplicate id "${item.id}"`));
    seen.add(item.id);
  });
  return out;
}
