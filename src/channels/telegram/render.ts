// OutMessage[] -> the Bot API calls that show them. Pure: the adapter executes the plan.
// - HTML parse mode; every text goes through escapeHtml; the title is bold.
// - Choices become an inline keyboard on the last part of the message, one button per row when labels are long.
// - Texts over Telegram's 4096 characters are split at paragraph boundaries (then lines, sentences, words).
// - Voice notes (approved recordings) are sent after the text; 🔊 (listen) is a button of its own row.
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { OutAudio, OutChoice, OutMessage } from '../../ports/out-message.ts';
import { splitParagraph } from '../../runtime/fit-text.ts';
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

type Block = { plain: string; html: string };

const SEPARATOR = '\n\n';

export function renderMessages(messages: readonly OutMessage[], limit = TELEGRAM_TEXT_LIMIT): RenderPlan {
  const plan: RenderPlan = { calls: [], longChoices: [] };
  for (const message of messages) renderOne(message, limit, plan);
  return plan;
}

function renderOne(message: OutMessage, limit: number, plan: RenderPlan): void {
  const choices = message.choices ?? [];
  const buttons = message.listen ? [...choices, message.listen] : choices;
  const blocks: Block[] = [];
  if (message.title) blocks.push({ plain: message.title, html: bold(message.title) });
  for (const paragraph of message.paragraphs) {
    if (paragraph.trim() !== '') blocks.push({ plain: paragraph, html: escapeHtml(paragraph) });
  }
  // The hint ("Reply 1, 2 or 3") is for text channels; buttons replace it here.
  if (message.hint && choices.length === 0)
    blocks.push({ plain: message.hint, html: `<i>${escapeHtml(message.hint)}</i>` });
  // Telegram refuses an empty text; a keyboard needs a message to hang on.
  if (blocks.length === 0 && buttons.length > 0) blocks.push({ plain: '…', html: '…' });

  const parts = packBlocks(blocks, limit);
  parts.forEach((html, index) => {
    const call: PlannedCall = { method: 'sendMessage', html };
    if (index === parts.length - 1 && buttons.length > 0)
      call.keyboard = keyboardFor(choices, message.version ?? 0, plan, message.listen);
    plan.calls.push(call);
  });
  for (const audio of message.audio ?? []) plan.calls.push({ method: 'sendVoice', audio });
}

/** Groups blocks into texts of at most `limit` plain characters, splitting oversized blocks. */
function packBlocks(blocks: Block[], limit: number): string[] {
  const parts: string[] = [];
  let html: string[] = [];
  let length = 0;
  const flush = () => {
    if (html.length > 0) parts.push(html.join(SEPARATOR));
    html = [];
    length = 0;
  };
  for (const block of blocks.flatMap((b) => (b.plain.length > limit ? splitBlock(b.plain, limit) : [b]))) {
    const added = (html.length > 0 ? SEPARATOR.length : 0) + block.plain.length;
    if (length + added > limit) flush();
    length += (html.length > 0 ? SEPARATOR.length : 0) + block.plain.length;
    html.push(block.html);
  }
  flush();
  return parts;
}

/** One long paragraph in pieces at the gentlest boundary (the presenter's own rule, fit-text.ts), escaped. */
function splitBlock(text: string, limit: number): Block[] {
  return splitParagraph(text, limit).map((plain) => ({ plain, html: escapeHtml(plain) }));
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
