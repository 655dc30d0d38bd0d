// Loads everything a bot needs from a root folder (flows/, content/, locales/), checks it all,
// and builds the engine's catalog, the translator and the presenter.
import type { SourceProblem } from '../common/source-problems.ts';
import { sortProblems } from '../common/source-problems.ts';
import { buildCatalog } from '../content/catalog.ts';
import { loadContent } from '../content/load.ts';
import { contentProblems } from '../content/problems.ts';
import type { Content } from '../content/schema.ts';
import { createFaqSearch } from '../content/search/index.ts';
import type { ContentCatalog, Lang } from '../engine/types.ts';
import { loadFlows } from '../flows/load.ts';
import type { FlowSet } from '../flows/schema.ts';
import { localeProblems } from '../i18n/check.ts';
import { type LocaleSet, loadLocales } from '../i18n/locales.ts';
import { REQUIRED_KEYS } from '../i18n/required-keys.ts';
import { createTranslator } from '../i18n/translator.ts';
import { createPresenter, type Presenter } from '../runtime/present.ts';

export type Bundle = {
  root: string;
  flows: FlowSet;
  content: Content;
  catalog: ContentCatalog;
  presenter: Presenter;
  strings: LocaleSet;
};

export type BundleResult = { bundle: Bundle | null; problems: SourceProblem[] };

/** Values texts may use whatever the configuration: how long data is kept (the defaults match .env.example). */
export const DEFAULT_TEXT_PARAMS = { session_days: '30', retention_days: '30' };

export async function loadBundle(
  root: string,
  options: { strict?: boolean; now?: number; textParams?: Record<string, string> } = {},
): Promise<BundleResult> {
  const now = options.now ?? Date.now();
  const [locales, loadedContent] = await Promise.all([loadLocales(root), loadContent(root)]);
  const problems: SourceProblem[] = [...locales.problems, ...loadedContent.problems];
  problems.push(...localeProblems(locales.strings, REQUIRED_KEYS));
  const content = loadedContent.content;
  if (content) problems.push(...contentProblems(content, { strict: options.strict ?? false, now }));

  const flows = await loadFlows(root, {
    hasKey: (lang, key) => key in locales.strings[lang],
    faqIds: new Set(content?.faqs.keys() ?? []),
    topicIds: new Set(content?.topics.map((t) => t.id) ?? []),
  });
  problems.push(...flows.problems);

  const sorted = sortProblems(problems);
  if (!content || !flows.flowSet || sorted.some((p) => p.severity === 'error'))
    return { bundle: null, problems: sorted };

  const strings = mergeStrings(locales.strings, flows.inlineTexts);
  const translator = createTranslator(strings, { ...DEFAULT_TEXT_PARAMS, ...options.textParams });
  const catalog = buildCatalog(content, createFaqSearch(content));
  const presenter = createPresenter(translator, content);
  return { bundle: { root, flows: flows.flowSet, content, catalog, presenter, strings }, problems: sorted };
}

function mergeStrings(base: LocaleSet, extra: Record<string, Record<string, string>>): LocaleSet {
  const out = Object.fromEntries(Object.entries(base).map(([lang, table]) => [lang, { ...table }])) as LocaleSet;
  for (const [lang, table] of Object.entries(extra)) Object.assign(out[lang as Lang] ?? {}, table);
  return out;
}
