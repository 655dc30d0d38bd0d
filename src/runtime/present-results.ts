// The presenter's half for services: what referrals, alerts and erasure answer (data) becomes what the person
// reads, through i18n keys that `validate` checks in every language (src/i18n/required-keys.ts). Tables typed over
// each closed union: a new result or notice does not compile until it is worded here.
import type { EffectType, Lang } from '../engine/types.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { PersonNotice, PersonNoticeType } from '../ports/person-notice.ts';
import type {
  CaseStatusResult,
  ErasureResult,
  IntakeResult,
  RelayResult,
  SubscriptionsResult,
  TransferAnswerResult,
} from '../ports/services.ts';
import type { Presenter } from './present.ts';

/** What one service effect came back with. */
export type ServiceResult =
  | { kind: 'intake'; result: IntakeResult }
  | { kind: 'case_status'; result: CaseStatusResult }
  | { kind: 'relay'; result: RelayResult }
  | { kind: 'erasure'; result: ErasureResult }
  | { kind: 'subscriptions'; result: SubscriptionsResult }
  /** The person's yes or no to a proposed transfer (null: referrals are not available). */
  | { kind: 'transfer_answer'; no: string; result: TransferAnswerResult | null }
  /** Subscribing, unsubscribing or pausing asked where there are no alerts. */
  | { kind: 'alerts_unavailable' }
  /** The service threw: the request is not lost silently, the person is told to try again. */
  | { kind: 'service_failed'; effect: EffectType }
  /** Done, and the flow says what follows. */
  | { kind: 'done' };

type ResultKind = ServiceResult['kind'];
type Words = Pick<Presenter, 't' | 'label'>;
type Wording<K extends ResultKind> = (result: Extract<ServiceResult, { kind: K }>, lang: Lang, w: Words) => string[];

const referral = (w: Words, lang: Lang, key: string, params?: Record<string, string>) =>
  w.t(lang, `referral.${key}`, params);

const RESULTS = {
  intake: ({ result }, lang, w) => {
    if (!result.created) return [referral(w, lang, result.reason === 'unavailable' ? 'unavailable' : 'try_later')];
    const { no, partnerName: partner } = result;
    return [
      referral(w, lang, 'case_saved', { no }),
      referral(w, lang, 'case_next', { no, partner, hours: String(result.hours) }),
      referral(w, lang, 'case_urgent', { no }),
      referral(w, lang, 'case_withdraw', { no }),
    ];
  },
  case_status: ({ result }, lang, w) => {
    if (!result.found) {
      return [referral(w, lang, result.reason === 'unavailable' ? 'unavailable' : 'unknown_case', { no: result.no })];
    }
    return [referral(w, lang, `status_${result.status}`, { no: result.no, partner: result.partnerName })];
  },
  transfer_answer: ({ no, result }, lang, w) => {
    if (!result) return [referral(w, lang, 'unavailable')];
    // Answered already (another device, a replay) or withdrawn: said plainly, nothing changes.
    if (!result.ok) return [referral(w, lang, 'transfer_over', { no })];
    const key = result.outcome === 'moved' ? 'case_transferred' : 'transfer_stays';
    return [referral(w, lang, key, { no, partner: `@contact:${result.case.partner}` })];
  },
  relay: ({ result }, lang, w) => [result.relayed ? referral(w, lang, 'relayed') : referral(w, lang, 'relay_failed')],
  erasure: ({ result }, lang, w) => (result.erased ? [] : [w.t(lang, 'error.erase_failed')]),
  subscriptions: ({ result }, lang, w) => {
    if (!result.available) return [w.t(lang, 'alerts.unavailable')];
    if (result.topics.length === 0) return [w.t(lang, 'alerts.none')];
    return [w.t(lang, 'alerts.your_topics'), ...result.topics.map((id) => `• ${w.label({ alertTopic: id }, lang)}`)];
  },
  alerts_unavailable: (_result, lang, w) => [w.t(lang, 'alerts.unavailable')],
  service_failed: ({ effect }, lang, w) => [w.t(lang, effect === 'refer' ? 'referral.try_later' : 'error.try_later')],
  done: () => [],
} satisfies { [K in ResultKind]: Wording<K> };

/** A service's result as the messages of the reply (none when the flow says what follows). */
export function presentResult(w: Words, result: ServiceResult, lang: Lang): OutMessage[] {
  const paragraphs = (RESULTS[result.kind] as Wording<typeof result.kind>)(result, lang, w);
  return paragraphs.length > 0 ? [{ paragraphs }] : [];
}

type NoticeWording<K extends PersonNoticeType> = (
  notice: Extract<PersonNotice, { type: K }>,
  lang: Lang,
  w: Pick<Words, 't'>,
) => OutMessage;

const NOTICES = {
  case_claimed: ({ no, partner }, lang, w) => ({ paragraphs: [w.t(lang, 'referral.case_claimed', { no, partner })] }),
  case_closed: ({ no }, lang, w) => ({ paragraphs: [w.t(lang, 'referral.case_closed', { no })] }),
  case_transferred: ({ no, partner }, lang, w) => ({
    paragraphs: [w.t(lang, 'referral.case_transferred', { no, partner })],
  }),
  staff_reply: ({ no, partner, text }, lang, w) => ({
    title: w.t(lang, 'referral.staff_reply_title', { no, partner }),
    paragraphs: [text],
  }),
  // The same question the conversation puts (flows/transfer.yaml), for a service running without one.
  transfer_proposal: ({ no, from, to }, lang, w) => ({
    paragraphs: [w.t(lang, 'referral.transfer_question', { no, from, to })],
  }),
} satisfies { [K in PersonNoticeType]: NoticeWording<K> };

/** What the person reads of a notice about their case. */
export function presentNotice(w: Pick<Words, 't'>, notice: PersonNotice, lang: Lang): OutMessage {
  return (NOTICES[notice.type] as NoticeWording<typeof notice.type>)(notice, lang, w);
}

/** How services get their notices worded (the bot passes its presenter; the service never holds texts). */
export type NoticePresenter = (notice: PersonNotice, lang: Lang) => OutMessage;

export function noticePresenter(w: Pick<Words, 't'>): NoticePresenter {
  return (notice, lang) => presentNotice(w, notice, lang);
}
