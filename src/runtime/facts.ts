// Facts the engine decides with, loaded before each step: the person's open case (and whether staff hold it) and
// whether they follow alerts. A fact that cannot be read counts as unknown (no case, no alerts): the conversation
// goes on, and the services still check for themselves.
import { type Facts, NO_FACTS } from '../engine/types.ts';
import type { Logger } from '../infra/logger.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { ReferralIntake, Subscriptions } from '../ports/services.ts';

export type FactSources = {
  referrals?: ReferralIntake | undefined;
  subscriptions?: Subscriptions | undefined;
  logger?: Logger;
};

export async function loadFacts(chat: ChatRef, sources: FactSources): Promise<Facts> {
  const [openCase, alerts] = await Promise.all([
    openCaseOf(chat, sources).catch((err: unknown) => unknown(sources, 'open case', err, NO_FACTS.openCase)),
    followsAlerts(chat, sources).catch((err: unknown) => unknown(sources, 'alerts', err, false)),
  ]);
  return { openCase, hasAlerts: alerts, defaultPartner: sources.referrals?.fallbackPartner };
}

async function openCaseOf(chat: ChatRef, { referrals }: FactSources): Promise<Facts['openCase']> {
  if (!referrals?.openCasesOf) return null;
  const open = (await referrals.openCasesOf(chat)).filter(
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

async function followsAlerts(chat: ChatRef, { subscriptions }: FactSources): Promise<boolean> {
  if (!subscriptions) return false;
  return (await subscriptions.list(chat)).length > 0;
}

function unknown<T>(sources: FactSources, fact: string, err: unknown, value: T): T {
  sources.logger?.warn({ fact, err: err instanceof Error ? err.name : 'Error' }, 'fact not loaded, taken as unknown');
  return value;
}
