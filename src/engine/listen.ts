// The 🔊 offer, decided at the end of each step: when what this turn said has an approved recording in the
// person's language, the last question offers 🔊 (unless voice notes are already on), and the session remembers
// what there is to hear (`audible`), so 🔊 or AUDIO plays exactly that. No recording: nothing is promised.
import { audibleItem } from './audible.ts';
import type { Effect, Env, Session } from './types.ts';

export function offerListening(session: Session, effects: Effect[], env: Env): void {
  const recorded = env.recordings?.[session.lang ?? env.lang];
  if (!recorded || recorded.length === 0) {
    delete session.vars.audible;
    return;
  }
  const approved = new Set(recorded);
  const heard = new Set<string>();
  for (const effect of effects) {
    const items = effect.type === 'play_audio' ? effect.items : [audibleItem(effect)];
    for (const item of items) if (item && approved.has(item)) heard.add(item);
  }
  if (heard.size === 0) {
    delete session.vars.audible;
    return;
  }
  session.vars.audible = [...heard].join(',');
  if (session.vars.audio === 'yes') return;
  for (let i = effects.length - 1; i >= 0; i--) {
    const effect = effects[i]!;
    if (effect.type !== 'ask') continue;
    effects[i] = { ...effect, listen: true };
    return;
  }
}
