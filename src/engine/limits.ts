// The engine's bounds on one input: how far it walks the flows, how often it re-asks, how much text it reads.

/** Nodes entered for one input before the engine decides the flows loop. */
export const MAX_STEPS_PER_INPUT = 50;
/** Wrong answers to one question before the person is offered the menu. */
export const MAX_RETRIES = 3;
/** Longer messages are refused at a question (and read only this far for distress words and language). */
export const MAX_TEXT_LENGTH = 1000;
export { MAX_CHOICES } from './ask-choices.ts';
