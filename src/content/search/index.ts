// The FAQ search, as the rest of the bot uses it.
export type { Calibration } from './confidence.ts';
export { DEFAULT_CALIBRATION } from './confidence.ts';
export { detectLanguage } from './detect-language.ts';
export { createFaqSearch, type FaqSearch, type FaqSearchOptions } from './faq-search.ts';
