// The flow file format, as a zod schema. One YAML file per flow in flows/.
// It is the single description of the format: the loader validates with it,
// and `kunnafoni schema` turns it into the JSON Schema that editors use for autocompletion.
import { z } from 'zod';
import { varName } from '../engine/actions/action.ts';
import { ActionSchema, type FlowAction } from '../engine/actions/index.ts';
import { LANGUAGES, SOURCE_LANGUAGE } from '../engine/types.ts';

export { ActionSchema, type FlowAction };

const id = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'ids are lower-case words joined by "-" (e.g. "ask-consent")')
  .max(40);

/** `node` in the same flow, or `flow:node` in another flow. */
export const TargetSchema = z
  .string()
  .regex(/^([a-z][a-z0-9-]*:)?[a-z][a-z0-9-]*$/, 'a target is "node" or "flow:node"')
  .describe('A node of this flow ("menu") or of another flow ("referral:ask-consent").');

/** One entry per language of LANGUAGES: the source language required, the others optional. */
function perLanguage<T extends z.ZodType>(value: T, sourceRequired: boolean) {
  const shape: Record<string, z.ZodType> = {};
  for (const lang of LANGUAGES) shape[lang] = sourceRequired && lang === SOURCE_LANGUAGE ? value : value.optional();
  return z.object(shape).strict();
}

const inlineText = perLanguage(z.string().min(1), true).describe(
  'Text written in the flow itself, per language; fr is required (it is the fallback).',
) as unknown as z.ZodType<{ fr: string } & Partial<Record<(typeof LANGUAGES)[number], string>>>;

/** An i18n key ("menu.title"), a key with parameters, or inline text per language. */
export const TextSchema = z.union([
  z.string().regex(/^[a-z][a-zA-Z0-9_-]*(\.[a-zA-Z0-9_-]+)+$/, 'an i18n key looks like "menu.title"'),
  z.object({ key: z.string().min(1), params: z.record(z.string(), z.string()).optional() }).strict(),
  inlineText,
]);

const wordsPerLanguage = perLanguage(z.array(z.string()), false) as unknown as z.ZodType<
  Partial<Record<(typeof LANGUAGES)[number], string[]>>
>;

export const ChoiceSchema = z
  .object({
    id,
    label: TextSchema,
    next: TargetSchema.optional(),
    /** Variables to set when this choice is taken. */
    set: z.record(varName, z.string()).optional(),
    /** Other words that pick this choice, per language (the label and the number always do). */
    synonyms: wordsPerLanguage.optional(),
  })
  .strict();

export const DYNAMIC_SOURCES = [
  'languages',
  'topics',
  'faqs',
  'suggestions',
  'regions',
  'needs',
  'alert_topics',
] as const;

export const AskSchema = z
  .object({
    /** What kind of answer is expected. */
    type: z.enum(['choice', 'text', 'number', 'phone']).default('choice'),
    prompt: TextSchema.optional(),
    choices: z.array(ChoiceSchema).optional(),
    /** Choices built from content: languages, topics, FAQs of `topic`, search suggestions, regions, needs. */
    from: z.enum(DYNAMIC_SOURCES).optional(),
    /** For `from: faqs`: the topic, usually "{{topic}}". */
    topic: z.string().optional(),
    /** Variable that receives the answer (the chosen id, or the typed value). */
    save: varName.optional(),
    /** Where to go after a valid answer (choices may override with their own `next`). */
    next: TargetSchema.optional(),
    /** Said, in simpler words, when the person is confused ("hein ?", "je comprends pas"); then asked again. */
    explain: TextSchema.optional(),
    /** Free text that matches no choice goes there, with the text in the `query` variable. */
    on_text: TargetSchema.optional(),
    /** Photos, voice notes and documents are accepted and their references saved in `<save>_media`. */
    accept_media: z.boolean().optional(),
    /** Adds a "skip" choice. */
    optional: z.boolean().optional(),
    /** Adds a "cancel" choice that goes there (also recognised when typed at a text question). */
    cancel: TargetSchema.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    max_length: z.number().int().positive().optional(),
  })
  .strict();

export const NodeSchema = z
  .object({
    say: z.union([TextSchema, z.array(TextSchema)]).optional(),
    do: z.array(ActionSchema).optional(),
    ask: AskSchema.optional(),
    /** Route on a variable's value. */
    switch: z
      .object({ on: varName, cases: z.record(z.string(), TargetSchema), default: TargetSchema })
      .strict()
      .optional(),
    next: TargetSchema.optional(),
    end: z.literal(true).optional(),
  })
  .strict();

export const KeywordSchema = z
  .object({
    words: wordsPerLanguage,
    goto: TargetSchema,
    /**
     * `choices`: only where the person answers by choosing (a greeting typed as a description stays a description);
     * `idle`: only at the main menu or between conversations ("ok" at a yes/no question stays a yes).
     */
    where: z.enum(['anywhere', 'choices', 'idle']).default('anywhere'),
  })
  .strict()
  .describe('Words that work from any node, in every language.');

export const RouteSchema = z
  .object({ goto: TargetSchema })
  .strict()
  .describe('Where the engine sends a message it recognises, from any node.');

/** Messages the engine recognises before keywords and answers, tried in this order. */
export const ROUTE_NAMES = ['distress', 'case_number', 'transfer_proposed', 'voice'] as const;
export type FlowDistressRoute = z.infer<typeof DistressRouteSchema>;
export type RouteName = (typeof ROUTE_NAMES)[number];

export const DistressRouteSchema = z
  .object({
    goto: TargetSchema,
    /** The need an urgent referral is routed by, per distress category (saved in `distress_need`). */
    needs: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .describe('A person in danger or distress: their category is saved in `distress`, their words in `distress_text`.');

export const RoutesSchema = z
  .object({
    /** A person in danger or distress (words in content/distress.yaml): tried first, from any node. */
    distress: DistressRouteSchema.optional(),
    /** Words of confusion ("hein", "je comprends pas"): the current question is explained again (its `explain`). */
    confused: z.object({ words: wordsPerLanguage }).strict().optional(),
    /** A case number typed alone ("K-7F3Q", "k 7f3q"), or "ANNULER K-7F3Q": saved in `case_no` (and `case_action`). */
    case_number: RouteSchema.optional(),
    /**
     * Staff proposed to pass the person's case to another partner: the question is put to them (the case number,
     * the partners' ids in `transfer_case`, `transfer_from`, `transfer_to`); `return` brings them back after.
     */
    transfer_proposed: RouteSchema.optional(),
    /**
     * A voice note where no question accepts files: its reference is saved in `voice_note` (the bot cannot listen,
     * a person of an association can: the flow offers to send it).
     */
    voice: RouteSchema.optional(),
  })
  .strict();

export const DeepLinkSchema = z
  .object({
    prefix: z.string().min(1),
    /** Variable that receives the rest of the payload. */
    var: varName,
    /** The rest must be a known FAQ or topic id, else the person gets the welcome. */
    check: z.enum(['faq', 'topic']),
    goto: TargetSchema,
  })
  .strict();

export const FlowFileSchema = z
  .object({
    $schema: z.string().optional(),
    id,
    description: z.string().optional(),
    start: id,
    keywords: z.record(id, KeywordSchema).optional(),
    /** Only in the main flow. */
    routes: RoutesSchema.optional(),
    deeplinks: z.array(DeepLinkSchema).optional(),
    nodes: z.record(id, NodeSchema),
  })
  .strict();

export type Target = z.infer<typeof TargetSchema>;
export type FlowText = z.infer<typeof TextSchema>;
export type FlowChoice = z.infer<typeof ChoiceSchema>;
export type FlowAsk = z.infer<typeof AskSchema>;
export type FlowNode = z.infer<typeof NodeSchema>;
export type FlowKeyword = z.infer<typeof KeywordSchema>;
export type FlowDeepLink = z.infer<typeof DeepLinkSchema>;
export type Flow = z.infer<typeof FlowFileSchema>;

/** All flows, validated and cross-checked. `main` must exist with a `menu` node. */
export type FlowSet = {
  flows: Readonly<Record<string, Flow>>;
  keywords: readonly { id: string; keyword: FlowKeyword; flow: string }[];
  deeplinks: readonly { link: FlowDeepLink; flow: string }[];
  routes: Readonly<Partial<Record<RouteName, { goto: Target; flow: string }>>> & {
    readonly distress?: FlowDistressRoute & { flow: string };
    readonly confused?: readonly string[];
  };
};

/** The target that sends the person back to where a keyword or a route took them from (or the menu). */
export const RETURN_TARGET = 'return';

/** The one reading of a target: "node" in `fromFlow`, or "flow:node". */
export function parseTarget(target: Target, fromFlow: string): { flow: string; node: string } {
  const colon = target.indexOf(':');
  if (colon > 0) return { flow: target.slice(0, colon), node: target.slice(colon + 1) };
  return { flow: fromFlow, node: target };
}

export const MAIN_FLOW = 'main';
export const MENU_NODE = 'menu';

export function flowJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FlowFileSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
}
