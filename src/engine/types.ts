// The engine's contract: inputs from a person, effects for channels and services.
// Everything here is plain data so a conversation can be replayed and compared (golden tests).

// The one list of languages: everything else (schemas, locales, menus, fallbacks, names) derives from it.
export const LANGUAGES = ['fr', 'en', 'bm'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const SOURCE_LANGUAGE: Lang = 'fr';
/** Languages still being translated: a missing text there is a warning (French is shown, marked), not an error. */
export const DRAFT_LANGUAGES: readonly Lang[] = ['bm'];
/** Each language's own name, shown in the language menu. */
export const LANGUAGE_NAMES: Record<Lang, string> = { fr: 'Français', en: 'English', bm: 'Bamanankan' };
/** Other names a person may type to pick a language. */
export const LANGUAGE_ALIASES: Record<Lang, readonly string[]> = {
  fr: ['French', 'Francais', 'Faransikan', 'fr'],
  en: ['Anglais', 'Angilɛkan', 'en'],
  bm: ['Bambara', 'Bamana', 'bm'],
};

export function isLang(value: string): value is Lang {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** The platforms a person can be on. */
export const CHANNEL_NAMES = ['telegram', 'whatsapp', 'console'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export type MediaKind = 'voice' | 'photo' | 'document' | 'location' | 'sticker' | 'video';

export type Input =
  | { kind: 'start'; payload?: string }
  /** `media`: the file a caption came with (a photo of papers under "que dois-je faire ?"), kept where files are. */
  | { kind: 'text'; text: string; media?: { media: MediaKind; ref: string } }
  /** A button press; `version` is the question version the button was drawn for. */
  | { kind: 'choice'; id: string; version: number }
  | { kind: 'media'; media: MediaKind; ref?: string }
  /** Something happened outside the conversation that the person must answer (staff proposed a transfer). */
  | { kind: 'notice'; notice: NoticeName };

/** What a notice may be about; each has a route of the same name in flows/main.yaml. */
export const NOTICE_NAMES = ['transfer_proposed'] as const;
export type NoticeName = (typeof NOTICE_NAMES)[number];

/**
 * Text for a person, resolved by the presenter in their language:
 * an i18n key, or a content label (FAQ question, topic, region, need, alert topic, contact name).
 */
export type Label =
  | { key: string; params?: Record<string, string> }
  | { faq: string }
  | { topic: string }
  | { region: string }
  | { need: string }
  | { alertTopic: string }
  | { language: Lang };

export type ChoiceView = { id: string; label: Label };

export type Effect =
  | { type: 'say'; key: string; params?: Record<string, string> }
  /**
   * `typed`: a free answer (text, number, phone) is expected; the choices are extras such as skip or cancel.
   * `listen`: 🔊 is offered with it (what this turn said has an approved recording, voice notes are not on yet).
   */
  | {
      type: 'ask';
      key?: string;
      params?: Record<string, string>;
      choices: ChoiceView[];
      version: number;
      typed?: true;
      listen?: true;
    }
  /** `noticeShown`: the "answer being reviewed" notice was already shown in this conversation (said once). */
  | { type: 'show_faq'; faqId: string; part: 'short' | 'more'; noticeShown?: true }
  | { type: 'show_contacts'; contactIds: string[] }
  /** `partner`: the association named on the consent screen; the case must go there. `urgent`: a person in danger. */
  | {
      type: 'refer';
      intakeId: string;
      need: string;
      region: string;
      partner?: string;
      urgent?: true;
      fields: Record<string, string>;
    }
  /** Emergency lines for where the person is, shown in the same message as what follows. */
  | { type: 'show_emergency'; contactIds: string[] }
  | { type: 'list_subscriptions' }
  | { type: 'subscribe'; topics: string[]; region?: string }
  | { type: 'unsubscribe'; topics: string[] }
  | { type: 'set_language'; lang: Lang }
  | { type: 'erase_my_data' }
  | { type: 'pause' }
  /** The status of the person's case with this number (parsed by the engine, looked up by the referral service). */
  | { type: 'case_status'; no: string }
  /** A message for the staff member who holds the person's case. */
  | { type: 'relay_to_staff'; text: string }
  /** The person's answer to the transfer of their case that staff proposed (the case moves only on yes). */
  | { type: 'answer_transfer'; no: string; accept: boolean }
  | { type: 'flow_error'; code: string; detail: string }
  /** The voice notes of these recordings (src/engine/audible.ts items), e.g. of what the person just read. */
  | { type: 'play_audio'; items: string[] };

export type EffectType = Effect['type'];
/** The effect of one type, e.g. `EffectOf<'say'>`. */
export type EffectOf<K extends EffectType> = Extract<Effect, { type: K }>;

export type Session = {
  /** Format version of the stored session. */
  v: 1;
  lang?: Lang;
  /** Where the person is waiting: flow id and node id. Absent before the first message. */
  flow?: string;
  node?: string;
  /** Incremented at every question; buttons carry it so stale presses re-ask. */
  askVersion: number;
  /** Failed answers to the current question. */
  retries: number;
  /** Answers collected by the flows (need, region, description...). Personal data is encrypted by the store. */
  vars: Record<string, string>;
  /** Counter used to build intake ids that are unique per person and stable on retries. */
  intakes: number;
  /** Where the person was when a keyword or a route took them aside (help, language, case status...). */
  back?: { flow: string; node: string };
  /** The page of a long list of choices being shown (7 choices at most per message). */
  page?: number;
};

export function newSession(): Session {
  return { v: 1, askVersion: 0, retries: 0, vars: {}, intakes: 0 };
}

/** Result of a free-text FAQ search, as the engine needs it. */
export type FaqSearchResult = {
  /** The FAQ the bot would answer with, or null when it is not confident. */
  match: string | null;
  results: { id: string; score: number }[];
  /** True when the question looks unrelated to migrants' rights. */
  offTopic: boolean;
};

/** Kinds of distress, in order of urgency (content/distress.yaml holds their words). */
export const DISTRESS_CATEGORIES = [
  'suicide',
  'danger',
  'violence',
  'injury',
  'child_alone',
  'detained',
  'hunger_shelter',
] as const;
export type DistressCategory = (typeof DISTRESS_CATEGORIES)[number];

/** What the engine may know of content: ids for checks and menus, and a pure search function. */
export type ContentCatalog = {
  faqIds: ReadonlySet<string>;
  /** Topics in display order, each with its FAQ ids in display order. */
  topics: readonly { id: string; faqIds: readonly string[] }[];
  regions: readonly string[];
  needs: readonly string[];
  alertTopics: readonly string[];
  /** Contacts that match a region and a need, best first. */
  contactsFor(region: string, need: string): string[];
  /** The association a referral for this region and need goes to, or null (the service then uses its fallback). */
  referralPartnerFor(region: string, need: string): string | null;
  /** Whether the FAQ has more to say in that language than its first message (so "more" is worth offering). */
  faqHasMore(faqId: string, lang?: Lang): boolean;
  search(text: string, lang: Lang | null): FaqSearchResult;
  /** The kind of distress a message expresses (content/distress.yaml), or null. Checked before FAQ matching. */
  distress(text: string, lang: Lang | null): { category: DistressCategory } | null;
  /**
   * Ids of the `kind: emergency` contacts whose `countries` include this ISO code (e.g. "ML"), those meant for
   * `category` first; none when the place is unknown (null): a number is never given for the wrong country.
   */
  emergencyContactsFor(country: string | null, category?: DistressCategory): string[];
};

/** What the runtime knows of the person before the engine decides (loaded by runtime/facts.ts). */
export type Facts = {
  /** The person's most recent case that is not closed, if any. */
  openCase: { no: string; status: 'waiting' | 'claimed'; partner: string; heldByStaff: boolean } | null;
  /** The person has alert subscriptions (so "stop" has something to pause). */
  hasAlerts: boolean;
  /** A transfer of one of the person's cases that staff proposed and the person has not answered (partner ids). */
  transferProposal?: { no: string; from: string; to: string; lang: Lang } | null;
  /** The association that takes cases nobody else covers (named on the consent screen when routing finds none). */
  defaultPartner?: string | undefined;
};

export const NO_FACTS: Facts = { openCase: null, hasAlerts: false };

export type Env = {
  lang: Lang;
  content: ContentCatalog;
  /** Platform of the person (flows may differ, e.g. alerts are Telegram-only). */
  channel: ChannelName;
  /** Absent: nothing is known (no open case, no alerts). */
  facts?: Facts;
  /** Every text a label has, in every language: choices are recognised by any of them. */
  labelTexts(label: Label): string[];
  /**
   * Recordings people may hear, per language (src/engine/audible.ts items; approved ones only). Absent or empty
   * where the channel cannot send voice notes: then 🔊 is never offered.
   */
  recordings?: Readonly<Partial<Record<Lang, readonly string[]>>>;
  /** The language a message is written in, when it tells (a first message in Bambara starts in Bambara). */
  detectLanguage?(text: string): Lang | null;
};
