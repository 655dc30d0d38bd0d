// The content format: FAQs, contacts and the small lists (topics, regions, needs, alert topics)
// that menus are built from. Files live in content/; see docs/content.md.
import { z } from 'zod';
import { DISTRESS_CATEGORIES } from '../engine/types.ts';
import type { DistressWords } from './distress.ts';

const id = z.string().regex(/^[a-z][a-z0-9-]*$/, 'ids are lower-case words joined by "-"');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are written YYYY-MM-DD');

/** Text per language; fr is required because it is the fallback for every other language. */
export const PerLangText = z
  .object({ fr: z.string().min(1), en: z.string().min(1).optional(), bm: z.string().min(1).optional() })
  .strict();

export const ReviewStatus = z.enum(['reviewed', 'draft', 'machine-draft']);

export const FaqAnswer = z
  .object({
    /** The first message: plain words, at most ~600 characters, ends with what to do next. */
    text: z.string().min(1),
    /** Optional longer part, sent when the person asks for more. */
    more: z.string().min(1).optional(),
    status: ReviewStatus,
    /** Audio file (relative to content/) read aloud in this language. */
    audio: z.string().optional(),
  })
  .strict();

export const FaqSchema = z
  .object({
    id,
    topics: z.array(id).min(1),
    /** Region ids where it applies, or ["all"]. */
    regions: z.array(id).min(1),
    /** Short question shown in menus, per language (<= 60 characters). */
    title: PerLangText,
    /** Ways people ask it, per language: used by the search, never shown. */
    questions: z
      .object({ fr: z.array(z.string()).min(1), en: z.array(z.string()).min(1), bm: z.array(z.string()).optional() })
      .strict(),
    answer: z.object({ fr: FaqAnswer, en: FaqAnswer.optional(), bm: FaqAnswer.optional() }).strict(),
    sources: z.array(z.object({ title: z.string().min(1), ref: z.string().min(1) }).strict()).min(1),
    /** Date of the last review of the facts. */
    reviewed: isoDate,
    /** Who wrote or checked it (shown with the answer: people trust a named association). */
    written_by: z.string().min(1),
    /** Organisations to offer after the answer. */
    contacts: z.array(id).default([]),
  })
  .strict();

export const ContactChannel = z
  .object({
    type: z.enum(['phone', 'whatsapp', 'address', 'email', 'website', 'hours']),
    value: z.string().min(1),
    /** A detail is shown as a fact only when verified. */
    verified: z.boolean(),
    verified_by: z.string().optional(),
    verified_on: isoDate.optional(),
  })
  .strict();

export const ContactSchema = z
  .object({
    id,
    /** `organisation`: offered by region and need; `emergency`: a line given in distress, by country. */
    kind: z.enum(['organisation', 'emergency']).default('organisation'),
    name: z.string().min(1),
    /** What the organisation does, per language. */
    description: PerLangText,
    /** Region ids it serves ("abroad" for outside Mali). Organisations only. */
    regions: z.array(id).default([]),
    /** Need ids it helps with. Organisations only. */
    needs: z.array(id).default([]),
    /** Emergency lines: ISO 3166 codes of the countries where the number works (e.g. ML). */
    countries: z.array(z.string().regex(/^[A-Z]{2}$/, 'countries are ISO codes in capitals, e.g. ML')).default([]),
    /** Emergency lines: the kinds of distress they are meant for first (none: every kind). */
    distress: z.array(z.enum(DISTRESS_CATEGORIES)).default([]),
    languages: z.array(z.string()).default([]),
    accepts_referrals: z.boolean(),
    channels: z.array(ContactChannel).default([]),
    /** Whether the organisation itself (that it exists and does this) was checked, by whom and when. */
    verified: z.object({ status: z.boolean(), by: z.string().optional(), on: isoDate.optional() }).strict(),
    sources: z.array(z.object({ title: z.string().min(1), ref: z.string().min(1) }).strict()).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.kind === 'organisation') {
      if (c.regions.length === 0)
        ctx.addIssue({ code: 'custom', path: ['regions'], message: 'list the regions it serves' });
      if (c.needs.length === 0)
        ctx.addIssue({ code: 'custom', path: ['needs'], message: 'list the needs it helps with' });
    } else {
      if (c.countries.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['countries'],
          message: 'an emergency line says where it works (countries: [ML])',
        });
      if (c.sources.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['sources'],
          message: 'an emergency number needs the source it was read in',
        });
    }
  });

/** A labelled id: topics, regions, needs and alert topics share this shape. */
export const LabelledItem = z.object({ id, label: PerLangText }).strict();
export const LabelledList = z.array(LabelledItem).min(1);

/** content/synonyms.yaml: per language, groups of words or short phrases that mean the same for the search. */
export const SynonymsSchema = z
  .object({
    fr: z.array(z.array(z.string().min(1)).min(2)).optional(),
    en: z.array(z.array(z.string().min(1)).min(2)).optional(),
    bm: z.array(z.array(z.string().min(1)).min(2)).optional(),
  })
  .strict();

export type PerLangTextT = z.infer<typeof PerLangText>;
export type Faq = z.infer<typeof FaqSchema>;
export type FaqAnswerT = z.infer<typeof FaqAnswer>;
export type Contact = z.infer<typeof ContactSchema>;
export type ContactChannelT = z.infer<typeof ContactChannel>;
export type LabelledItemT = z.infer<typeof LabelledItem>;

/** Everything in content/, loaded and cross-checked. */
export type Content = {
  faqs: ReadonlyMap<string, Faq>;
  contacts: ReadonlyMap<string, Contact>;
  topics: readonly LabelledItemT[];
  regions: readonly LabelledItemT[];
  needs: readonly LabelledItemT[];
  alertTopics: readonly LabelledItemT[];
  /** Synonym groups per language, used by the search (content/synonyms.yaml). */
  synonyms: Readonly<Record<string, readonly (readonly string[])[]>>;
  /** Distress phrases per category and language (content/distress.yaml). */
  distress: DistressWords;
  /** Absolute path of the content folder (for audio files). */
  root: string;
};
