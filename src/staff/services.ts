// What the console needs from the other services. The referral side is the referral service's own surface (a
// type-only Pick, so it stays in step); the alerts and channel sides are small interfaces the lead wires to the
// real implementations in main.ts.
import type { ReferralService } from '../referrals/service.ts';

export type StaffReferrals = Pick<
  ReferralService,
  | 'partners'
  | 'listQueue'
  | 'summary'
  | 'find'
  | 'details'
  | 'claim'
  | 'assign'
  | 'release'
  | 'transfer'
  | 'reply'
  | 'closeCase'
  | 'addNote'
  | 'partnerCases'
>;

export type QueueView = Awaited<ReturnType<ReferralService['listQueue']>>;
export type CaseDetails = Exclude<Awaited<ReturnType<ReferralService['details']>>, { error: unknown }>;
export type CaseSummary = QueueView['waiting'][number];
export type OpResult = Awaited<ReturnType<ReferralService['claim']>>;

/** Text per language; people whose language has no text get the fr one. */
export type PerLang = { fr: string; en?: string; bm?: string };

/** An alert as composed in the console (the fields of an alert file, src/alerts/alert-file.ts, but the id). */
export type AlertDraft = {
  text: PerLang;
  /** Alert topic ids (content/alert-topics.yaml); at least one. */
  topics: string[];
  /** Region ids, or ["all"]. */
  regions: string[];
  /** When to start sending (ms since epoch); absent: now. */
  sendAt?: number;
  /** Not sent after this time (ms since epoch). */
  expiresAt?: number;
};

export type AlertAudience = { total: number; byLang: Partial<Record<'fr' | 'en' | 'bm', number>> };

export type AlertProgress = {
  id: string;
  state: 'scheduled' | 'sending' | 'done';
  /** People the broadcast goes to (the estimate made at publication until it starts). */
  total: number;
  sent: number;
  pending: number;
  failed: number;
  /** People who blocked the bot (they are unsubscribed). */
  blocked: number;
  /** Unsubscribed or paused since publication, or too late (expired): not sent, on purpose. */
  skipped: number;
  /** Delivered after an attempt that may also have arrived (a crash or no answer): maybe twice. */
  uncertain?: number;
  /** Failures by reason (refused, telegram_error, no_answer, worker_error, interrupted). */
  failedReasons?: Record<string, number>;
  /** Due but nothing can send it: no bot with Telegram connected. */
  waiting?: boolean;
  sendAt?: number;
  publishedAt?: number;
  /** Who published it from the console. */
  by?: string;
};

export interface StaffAlerts {
  /** People who would get the alert (subscribed to one of its topics, in one of its regions), by language. */
  audience(draft: AlertDraft): Promise<AlertAudience>;
  /** Records the alert and schedules its broadcast; returns its id. `by`: the staff id (`web:<account>`). */
  publish(draft: AlertDraft, by: string): Promise<{ id: string }>;
  status(id: string): Promise<AlertProgress | null>;
  /** The latest broadcasts, newest first. */
  recent?(limit: number): Promise<AlertProgress[]>;
}

export type { WhatsAppStateView } from '../ports/whatsapp-state.ts';

/** What the console shows about Telegram; `getWebhookInfo` gives the webhook fields. */
export type TelegramStatus = {
  mode: 'polling' | 'webhook' | 'off';
  webhookUrl?: string;
  pendingUpdateCount?: number;
  lastErrorMessage?: string;
  /** ms since epoch. */
  lastErrorAt?: number;
};

export type HealthReport = { redis: boolean; channels: Record<string, string> };
