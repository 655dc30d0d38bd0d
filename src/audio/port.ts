// What the presenter and the channels need to send an approved recording (issue 18 point 4): the file, and a slot
// for the platform's own id of an upload, so Telegram's file_id is re-used instead of uploading the file again.
import type { Lang } from '../engine/types.ts';
import type { AudioItem } from './items.ts';

/** Platforms that give an id for an uploaded file that can be sent again (WhatsApp re-sends the file). */
export type AudioPlatform = 'telegram';

export type ApprovedAudio = {
  item: AudioItem;
  lang: Lang;
  /** Absolute path of the OGG/Opus file. */
  path: string;
  durationMs: number;
  /** Changes whenever the recording is replaced: platform ids belong to one version. */
  version: string;
  /** Ids the platforms gave for this version (e.g. the `file_id` returned by sendVoice). */
  platformIds: Partial<Record<AudioPlatform, string>>;
};

export interface VoiceRecordings {
  /** The approved recording of an item in a language, or null (then nothing may be promised). */
  approvedFor(item: AudioItem, lang: Lang): Promise<ApprovedAudio | null>;
  /** Items with an approved recording in this language (to decide whether to offer 🔊 at all). */
  approvedItems(lang: Lang): Promise<ReadonlySet<AudioItem>>;
  /** Keeps the platform's id of this version, e.g. `result.voice.file_id` after a sendVoice with the file. */
  rememberPlatformId(audio: ApprovedAudio, platform: AudioPlatform, id: string): Promise<void>;
}
