// What the runtime reads of the approved recordings at each turn (implemented in src/audio/approved-voices.ts).
import type { Lang } from '../engine/types.ts';
import type { OutAudio } from './out-message.ts';

/** Every approved recording, per language and item (`welcome`, `menu`, `faq-<id>`...). */
export type ApprovedByLang = Readonly<Record<Lang, Readonly<Record<string, OutAudio>>>>;

export interface ApprovedVoices {
  approved(): Promise<ApprovedByLang>;
}
