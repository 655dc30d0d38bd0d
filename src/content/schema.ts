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

/** Points of an answer: stable id -> one short idea, in display order. */
const Points = z.record(id, z.string().min(1));

export const FaqAnswer = z
  .object({
    status: ReviewStatus,
    /** The first message, point by point (one idea each); French sets the ids every language must have. */
    points: Points,
    /** Sent when the person asks for more, point by point. */
    more: Points.optional(),
    /** Ids of French points that do not apply in this language (say why in a comment). */
    not_applicable: z.array(id).default([]),
    /** Ids of points drafted by machine in an answer that is otherwise reviewed or drafted by people. */
    machine_drafted: z.array(id).default([]),
    /** Audio file (relative to content/) read aloud in this language. */
    audio: z.string().optional(),
  })
  .strict();

/** A source: a short name people can read in their language (shown), and the exact reference (not shown). */
export const FaqSource = z.object({ title: PerLangText, ref: z.string().min(1) }).strict();

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
    sources: z.array(FaqSource).min(1),
    /** Date of the last review of the facts. */
    reviewed: isoDate,
    /** Who wrote or checked it, as people may read it (shown with the answer; no internal notes). */
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
    /** Short name for lists ("Qui peut aider : AME, OIM"), per language; `name` when absent. */
    short_name: PerLangText.optional(),
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

/** content/off-topic.yaml: per language, phrases of messages that are not about rights (see the file). */
export const OffTopicSchema = z
  .object({
    fr: z.array(z.string().min(1)).optional(),
    en: z.array(z.string().min(1)).optional(),
    bm: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type OffTopicPhrases = z.infer<typeof OffTopicSchema>;

export type PerLangTextT = z.infer<typeof PerLangText>;
export type Faq = z.infer<typeof FaqSchema>;
export type FaqAnswerT = z.infer<typeof FaqAnswer>;
export type FaqSourceT = z.infer<typeof FaqSource>;
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
  /** Phrases of messages that share words with rights questions but are off topic (content/off-topic.yaml). */
  offTopic?: OffTopicPhrases;
  /** Distress phrases per category and language (content/distress.yaml). */
  distress: DistressWords;
  /** Absolute path of the content folder (for audio files). */
  root: string;
};
