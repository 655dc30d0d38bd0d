// What the presenter hands to a channel: plain text (never escaped or formatted),
// which each channel formats with what its platform can do.
import type { Lang } from '../engine/types.ts';

export type OutChoice = { id: string; label: string };

export type OutMessage = {
  /** Shown in bold where the platform can. */
  title?: string;
  /** Plain-text paragraphs; the channel escapes them for its markup. */
  paragraphs: string[];
  /** Choices: inline buttons on Telegram, numbered lines on WhatsApp and in the terminal. */
  choices?: OutChoice[];
  /** The question version the choices belong to (Telegram puts it in callback_data). */
  version?: number;
  /** A free answer is expected (text, number, phone): text channels show the choices as words, not numbers. */
  typedAnswer?: boolean;
  /** How to answer, for text channels: "Réponds 1, 2 ou 3". */
  hint?: string;
  /** Voice notes that go with this message (approved recordings of its words), in order. */
  audio?: OutAudio[];
  /** 🔊 offered: a button on Telegram (text channels get a line saying to write AUDIO instead). */
  listen?: OutChoice;
};

/**
 * An approved recording, as channels need it: the OGG/Opus file, and the ids platforms gave for this version of it
 * (Telegram's `file_id`), so a channel sends the id instead of uploading the file again. Plain data: messages are
 * kept in journals and held for later. `item`, `lang` and `version` name what a new platform id is remembered for.
 */
export type OutAudio = {
  item: string;
  lang: Lang;
  /** Absolute path of the OGG/Opus file. */
  path: string;
  durationMs: number;
  /** Changes whenever the recording is replaced: platform ids belong to one version. */
  version: string;
  platformIds: Partial<Record<AudioPlatform, string>>;
};

/** Platforms that give an id for an uploaded file that can be sent again (WhatsApp re-sends the file). */
export type AudioPlatform = 'telegram';
