// What the presenter hands to a channel: plain text (never escaped or formatted),
// which each channel formats with what its platform can do.
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
  /** A local audio file to send as a voice note. */
  audio?: string;
};
