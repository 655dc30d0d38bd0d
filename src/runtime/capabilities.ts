// What a channel can show, declared by each channel adapter and passed with every input: the presenter words
// answers from these, never from the channel's name.
export type ChannelCapabilities = {
  /** Choices are tappable buttons (Telegram); otherwise numbered lines with "Réponds 1, 2 ou 3". */
  buttons: boolean;
  /** Longest text one message may carry (the channel splits longer ones). */
  maxText: number;
  /** Voice notes can be sent. */
  voice: boolean;
};

/** A plain text channel (the terminal, and anything that declares nothing). */
export const TEXT_ONLY: ChannelCapabilities = { buttons: false, maxText: 4096, voice: false };
