// Facts the engine decides with, loaded before each step: the person's open case (and whether staff hold it) and
// whether they follow alerts. A fact that cannot be read counts as unknown (no case, no alerts): the conversation
// goes on, and the services still check for themselves.
import { type Facts, isLang, type Lang, SOURCE_LANGUAGE } from '../engine/types.ts';
import type { Logger } from '../infra/logger.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { OpenCaseFact, ReferralIntake, Subscriptions } from '../ports/services.ts';

export type FactSources = {
  referrals?: ReferralIntake | undefined;
  subscriptions?: Subscriptions | undefined;
  logger?: Logger;
  /** The person's open cases, already being read (with the chat's lock): instead of asking the referrals. */
  openCases?: Promise<OpenCaseFact[]>;
  /** Whether they follow alerts, already being read (with the chat's lock): instead of asking the subscriptions. */
  alerts?: Promise<boolean>;
};

export async function loadFacts(chat: ChatRef, sources: FactSources): Promise<Facts> {
  const [cases, alerts] = await Promise.all([
    openCasesOf(chat, sources).catch((err: unknown) => unknown(sources, 'open case', err, [] as OpenCaseFact[])),
    followsAlerts(chat, sources).catch((err: unknown) => unknown(sources, 'alerts', err, false)),
  ]);
  return {
    openCase: openCaseOf(cases),
    hasAlerts: alerts,
    defaultPartner: sources.referrals?.fallbackPartner,
    transferProposal: transferProposalOf(cases),
  };
}

async function openCasesOf(chat: ChatRef, { referrals, openCases }: FactSources): Promise<OpenCaseFact[]> {
  if (openCases) return openCases;
  return referrals?.openCasesOf ? await referrals.openCasesOf(chat) : [];
}

/** The transfer waiting for the person's answer (the most recent case's, if several). */
function transferProposalOf(cases: readonly OpenCaseFact[]): Facts['transferProposal'] {
  const proposed = cases
    .filter((c) => c.proposedTo && !c.erased && (c.status === 'waiting' || c.status === 'claimed'))
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!proposed?.proposedTo) return null;
  const lang: Lang = proposed.lang && isLang(proposed.lang) ? proposed.lang : SOURCE_LANGUAGE;
  return { no: proposed.no, from: proposed.partner, to: proposed.proposedTo, lang };
}

function openCaseOf(cases: readonly OpenCaseFact[]): Facts['openCase'] {
  const open = cases.filter(
    (c): c is typeof c & { status: 'waiting' | 'claimed' } =>
      (c.status === 'waiting' || c.status === 'claimed') && !c.erased,
  );
  // The case someone holds comes first (messages go to them), then the most recent.
  const best = [...open].sort(
    (a, b) => Number(isHeld(b)) - Number(isHeld(a)) || (b.claimedAt ?? b.createdAt) - (a.claimedAt ?? a.createdAt),
  )[0];
  return best ? { no: best.no, status: best.status, partner: best.partner, heldByStaff: isHeld(best) } : null;
}

function isHeld(c: { status: string; claimedBy?: string | undefined }): boolean {
  return c.status === 'claimed' && Boolean(c.claimedBy);
}

async function followsAlerts(chat: ChatRef, { subscriptions, alerts }: FactSources): Promise<boolean> {
  if (alerts) return alerts;
  if (!subscriptions) return false;
  return (await subscriptions.list(chat)).length > 0;
}

function unknown<T>(sources: FactSources, fact: string, err: unknown, value: T): T {
  sources.logger?.warn({ fact, err: err instanceof Error ? err.name : 'Error' }, 'fact not loaded, taken as unknown');
  return value;
}
