// What the presenter and the channels need to send an approved recording (issue 18 point 4): the file, and a slot
// for the platform's own id of an upload, so Telegram's file_id is re-used instead of uploading the file again.
import type { Lang } from '../engine/types.ts';
import type { AudioPlatform, OutAudio } from '../ports/out-message.ts';
import type { AudioItem } from './items.ts';

export type { AudioPlatform };

/** An approved recording of an item in a language (what messages carry, see ports/out-message.ts). */
export type ApprovedAudio = OutAudio & { item: AudioItem };

export interface VoiceRecordings {
  /** The approved recording of an item in a language, or null (then nothing may be promised). */
  approvedFor(item: AudioItem, lang: Lang): Promise<ApprovedAudio | null>;
  /** Items with an approved recording in this language (to decide whether to offer 🔊 at all). */
  approvedItems(lang: Lang): Promise<ReadonlySet<AudioItem>>;
  /** Keeps the platform's id of this version, e.g. `result.voice.file_id` after a sendVoice with the file. */
  rememberPlatformId(audio: OutAudio, platform: AudioPlatform, id: string): Promise<void>;
}

export type { ApprovedByLang, ApprovedVoices } from '../ports/voices.ts';
