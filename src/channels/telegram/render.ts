// OutMessage[] -> the Bot API calls that show them. Pure: the adapter executes the plan.
// - HTML parse mode; every text goes through escapeHtml; the title is bold.
// - Choices become an inline keyboard on the last part of the message, one button per row when labels are long.
// - One message, one sendMessage: the presenter already fitted texts to Telegram's 4096 characters (fit-text.ts);
//   a message from another path that is longer is fitted by the same rule here, never by one of our own.
// - Voice notes (approved recordings) are sent after the text; 🔊 (listen) is a button of its own row.
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { OutAudio, OutChoice, OutMessage } from '../../ports/out-message.ts';
import { fitMessages } from '../../runtime/fit-text.ts';
import { encodeChoice } from './callback-data.ts';
import { bold, escapeHtml } from './html.ts';

/** Telegram's limit for a message text, counted after entity parsing (i.e. on the plain text). */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Labels up to this length share a row; longer ones get a row each, so they are not cut off on phones. */
export const SHORT_LABEL = 14;

export type PlannedCall =
  | { method: 'sendMessage'; html: string; keyboard?: InlineKeyboardMarkup }
  | { method: 'sendVoice'; audio: OutAudio };

export type RenderPlan = {
  calls: PlannedCall[];
  /** Choice ids too long for callback_data, to store (digest -> id) before the keyboard is sent. */
  longChoices: { digest: string; id: string }[];
};

const SEPARATOR = '\n\n';

export function renderMessages(messages: readonly OutMessage[], limit = TELEGRAM_TEXT_LIMIT): RenderPlan {
  const plan: RenderPlan = { calls: [], longChoices: [] };
  for (const message of fitMessages(messages, limit)) renderOne(message, plan);
  return plan;
}

function renderOne(message: OutMessage, plan: RenderPlan): void {
  const choices = message.choices ?? [];
  const buttons = message.listen ? [...choices, message.listen] : choices;
  const blocks: string[] = [];
  if (message.title) blocks.push(bold(message.title));
  for (const paragraph of message.paragraphs) {
    if (paragraph.trim() !== '') blocks.push(escapeHtml(paragraph));
  }
  // The hint ("Reply 1, 2 or 3") is for text channels; buttons replace it here.
  if (message.hint && choices.length === 0) blocks.push(`<i>${escapeHtml(message.hint)}</i>`);
  // Telegram refuses an empty text; a keyboard needs a message to hang on.
  if (blocks.length === 0 && buttons.length > 0) blocks.push('…');

  if (blocks.length > 0) {
    const call: PlannedCall = { method: 'sendMessage', html: blocks.join(SEPARATOR) };
    if (buttons.length > 0) call.keyboard = keyboardFor(choices, message.version ?? 0, plan, message.listen);
    plan.calls.push(call);
  }
  for (const audio of message.audio ?? []) plan.calls.push({ method: 'sendVoice', audio });
}

function keyboardFor(
  choices: readonly OutChoice[],
  version: number,
  plan: RenderPlan,
  listen?: OutChoice,
): InlineKeyboardMarkup {
  const button = (choice: OutChoice): InlineKeyboardButton => {
    const encoded = encodeChoice(version, choice.id);
    if (encoded.long) plan.longChoices.push(encoded.long);
    return { text: choice.label, callback_data: encoded.data };
  };
  const buttons = choices.map(button);
  const short = choices.every((c) => [...c.label].length <= SHORT_LABEL);
  const perRow = !short ? 1 : choices.length === 4 ? 2 : Math.min(3, choices.length);
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  // 🔊 apart from the answers, last: it is not one of them.
  if (listen) rows.push([button(listen)]);
  return { inline_keyboard: rows };
}
