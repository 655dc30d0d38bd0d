// Voice notes and the 🔊 offer in presented messages (issue 18 point 4). The engine decides the offer (an `ask`
// with `listen`) and what to replay (`play_audio`); here each recording is attached to the message its words end
// up in, once per answer, and only when the person asked for voice notes (the recordings given are theirs).
import { audibleItem, LISTEN_CHOICE } from '../engine/audible.ts';
import type { Effect, Lang } from '../engine/types.ts';
import type { OutAudio, OutMessage } from '../ports/out-message.ts';
import type { ChannelCapabilities } from './capabilities.ts';

export type VoiceOptions = {
  capabilities: ChannelCapabilities;
  /** The approved recordings in the person's language, by item; given only once they chose voice notes. */
  voice?: Readonly<Record<string, OutAudio>> | undefined;
};

type Translate = (lang: Lang, key: string) => string;

/** Follows one presentation: call `after` with each effect and the messages it added, `finish` at the end. */
export function voiceDraft(lang: Lang, options: VoiceOptions, t: Translate) {
  const voice = options.capabilities.voice ? options.voice : undefined;
  const sent = new Set<string>();
  let waiting: OutAudio[] = [];
  const wait = (item: string | null) => {
    const audio = item ? voice?.[item] : undefined;
    if (!audio || sent.has(audio.item)) return;
    sent.add(audio.item);
    waiting.push(audio);
  };
  const attach = (message: OutMessage | undefined) => {
    if (!message || waiting.length === 0) return;
    message.audio = [...(message.audio ?? []), ...waiting];
    waiting = [];
  };
  return {
    /** `added`: the messages the effect finished (a `say` waits for the message its words land in). */
    after(effect: Effect, added: readonly OutMessage[]): void {
      if (effect.type === 'play_audio') for (const item of effect.items) wait(item);
      else wait(audibleItem(effect));
      attach(added.at(-1));
      if (effect.type === 'ask' && effect.listen) {
        const message = added.at(-1);
        if (message && options.capabilities.voice) offerListening(message, lang, options.capabilities, t);
      }
    },
    finish(out: OutMessage[]): OutMessage[] {
      attach(out.at(-1));
      // A replay whose voice notes were already sent (or are not there) leaves nothing to show.
      return out.filter((m) => m.paragraphs.length > 0 || m.title || m.choices?.length || m.audio?.length);
    },
  };
}

function offerListening(message: OutMessage, lang: Lang, capabilities: ChannelCapabilities, t: Translate): void {
  if (capabilities.buttons) message.listen = { id: LISTEN_CHOICE, label: t(lang, 'main.listen') };
  else message.paragraphs = [...message.paragraphs, t(lang, 'main.listen_hint')];
}
