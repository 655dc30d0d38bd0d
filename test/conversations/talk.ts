// Drives the real runtime and flows like a person would, and renders replies as the terminal chat shows them.
import { renderConsoleMessage } from '../../src/channels/console/render.ts';
import type { Input } from '../../src/engine/types.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import type { OutMessage } from '../../src/ports/out-message.ts';
import type { OpenCaseFact, ReferEffect, ReferralIntake, Subscriptions } from '../../src/ports/services.ts';
import type { TestApp } from '../support/app.ts';

export type Turn = { said: string; messages: OutMessage[]; text: string };

export function parseLine(line: string): Input {
  if (line === '/start') return { kind: 'start' };
  if (line.startsWith('/start ')) return { kind: 'start', payload: line.slice(7) };
  if (line === '/voice' || line === '/photo' || line === '/sticker' || line === '/location') {
    return { kind: 'media', media: line.slice(1) as 'voice', ref: `ref-${line.slice(1)}` };
  }
  return { kind: 'text', text: line };
}

export async function talk(app: TestApp, chat: ChatRef, lines: string[]): Promise<Turn[]> {
  const turns: Turn[] = [];
  for (const said of lines) {
    const messages = await app.runtime.handle(chat, parseLine(said));
    turns.push({ said, messages, text: messages.map(renderConsoleMessage).join('\n\n') });
  }
  return turns;
}

/** A referral intake that records what the flows hand over (the referral service has its own tests). */
export function recordingReferrals(): ReferralIntake & {
  cases: ReferEffect[];
  erased: ChatRef[];
  /** Open cases per chat id, as the referral service would report them. */
  open: Map<string, OpenCaseFact[]>;
} {
  const cases: ReferEffect[] = [];
  const erased: ChatRef[] = [];
  const open = new Map<string, OpenCaseFact[]>();
  return {
    cases,
    erased,
    open,
    fallbackPartner: 'ame',
    async openCasesOf(chat) {
      return open.get(chat.id) ?? [];
    },
    async intake(_chat, effect) {
      cases.push(effect);
      return { created: true, no: `K-TEST${cases.length}`, partnerName: 'AME', hours: 48 };
    },
    async eraseFor(chat) {
      erased.push(chat);
    },
  };
}

/** Subscriptions kept in memory (the alerts service has its own tests on Redis). */
export function recordingSubscriptions(): Subscriptions & { topics: Map<string, Set<string>>; paused: Set<string> } {
  const topics = new Map<string, Set<string>>();
  const paused = new Set<string>();
  const key = (c: ChatRef) => `${c.channel}:${c.id}`;
  return {
    topics,
    paused,
    async subscribe(chat, list) {
      const set = topics.get(key(chat)) ?? new Set();
      for (const t of list) set.add(t);
      topics.set(key(chat), set);
      paused.delete(key(chat));
    },
    async unsubscribe(chat, list) {
      const set = topics.get(key(chat)) ?? new Set();
      if (list.length === 0) set.clear();
      for (const t of list) set.delete(t);
    },
    async list(chat) {
      return [...(topics.get(key(chat)) ?? [])];
    },
    async pause(chat) {
      paused.add(key(chat));
    },
    async setLanguage() {},
    async eraseFor(chat) {
      topics.delete(key(chat));
    },
  };
}
