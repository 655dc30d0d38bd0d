// What the runtime reads of the approved recordings for a turn (issue 18 point 4): for the engine, which items
// exist per language (to offer 🔊, Env.recordings); for the presenter, the recordings this turn's words have, once
// the person asked for voice notes. Nothing is read for a channel that cannot send voice notes. A failed read
// counts as "no recording": the answer goes out as text, nothing is promised.

import { audibleItem } from '../engine/audible.ts';
import type { Effect, Env, Lang } from '../engine/types.ts';
import type { Logger } from '../infra/logger.ts';
import type { OutAudio } from '../ports/out-message.ts';
import type { ApprovedByLang, ApprovedVoices } from '../ports/voices.ts';
import type { ChannelCapabilities } from './capabilities.ts';

export async function loadVoices(
  source: ApprovedVoices | undefined,
  capabilities: ChannelCapabilities,
  logger: Logger,
): Promise<ApprovedByLang | null> {
  if (!source || !capabilities.voice) return null;
  try {
    return await source.approved();
  } catch (err) {
    logger.warn({ err: err instanceof Error ? err.name : 'Error' }, 'recordings not loaded, answering in text');
    return null;
  }
}

/** The engine's fact: the items with an approved recording, per language. */
export function recordingsFact(voices: ApprovedByLang | null): Env['recordings'] {
  if (!voices) return undefined;
  const out: Partial<Record<Lang, string[]>> = {};
  for (const [lang, items] of Object.entries(voices) as [Lang, Record<string, OutAudio>][]) {
    out[lang] = Object.keys(items);
  }
  return out;
}

/** The recordings this turn's effects have in `lang` (only those: they are kept in the turn's journal). */
export function voiceFor(
  effects: readonly Effect[],
  voices: ApprovedByLang | null,
  lang: Lang,
): Record<string, OutAudio> | undefined {
  const approved = voices?.[lang];
  if (!approved) return undefined;
  const out: Record<string, OutAudio> = {};
  for (const effect of effects) {
    const items = effect.type === 'play_audio' ? effect.items : [audibleItem(effect)];
    for (const item of items) {
      const audio = item ? approved[item] : undefined;
      if (audio) out[audio.item] = audio;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
