// OutMessage[] -> what goes out on WhatsApp: plain text with WhatsApp's own markup, numbered menus (buttons and
// lists no longer work on WhatsApp Web), short messages merged, voice notes. Pure: no I/O. Long answers were split by
// the presenter (fit-text.ts, to WHATSAPP_CAPABILITIES.maxText); one from another path is fitted by the same rule.
import type { OutMessage } from '../../ports/out-message.ts';
import { fitMessages, shownLength } from '../../runtime/fit-text.ts';

export type WaOutgoing = { kind: 'text'; text: string } | { kind: 'voice'; path: string };

/** The longest text of one message (WhatsApp allows far more, but a wall of text is unreadable): the capability. */
export const WHATSAPP_SPLIT_AT = 1500;

/** U+2060 WORD JOINER: invisible, never a line break, and unlike U+200D it cannot glue two emoji together. */
const WJ = '\u2060';

// Links and e-mail addresses are left untouched: an invisible character inside them would break the link.
const LINK = /(?:https?:\/\/|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;

/**
 * WhatsApp has no escape character for its markup (*bold*, _italic_, ~strike~, ```mono```, `code`, "> quote").
 * Each marker character in person or content text is wrapped in word joiners. A marker only formats when it sits
 * at a word boundary on its outer side and touches a visible character on its inner side: with an invisible
 * non-space character on both sides, one of the two conditions fails whether the app treats the joiner as part of
 * a word or as a space, so "*5*" or "a_b_c" stay literal. The text looks and copies the same, minus nothing.
 */
export function escapeWhatsApp(text: string): string {
  let out = '';
  let last = 0;
  for (const link of text.matchAll(LINK)) {
    out += escapePlain(text.slice(last, link.index));
    out += link[0];
    last = link.index + link[0].length;
  }
  return out + escapePlain(text.slice(last));
}

function escapePlain(text: string): string {
  return text.replace(/[*_~`]/g, (m) => `${WJ}${m}${WJ}`).replace(/^>/gm, `${WJ}>`);
}

/** The blocks (separated by a blank line) of one message; a menu and its hint stay one block. */
function blocksOf(message: OutMessage): string[] {
  const blocks: string[] = [];
  if (message.title?.trim()) blocks.push(`*${escapeWhatsApp(message.title.trim())}*`);
  for (const paragraph of message.paragraphs) {
    const text = paragraph.trim();
    if (text) blocks.push(escapeWhatsApp(text));
  }
  const menu: string[] = [];
  if (message.choices?.length) {
    menu.push(message.choices.map((choice, i) => `${i + 1}. ${escapeWhatsApp(choice.label)}`).join('\n'));
  }
  if (message.hint?.trim()) menu.push(escapeWhatsApp(message.hint.trim()));
  if (menu.length) blocks.push(menu.join('\n\n'));
  return blocks;
}

/** Between two blocks of one WhatsApp message (fit-text.ts counts the same gap). */
const BLOCK_GAP = '\n\n';

/**
 * Renders a reply. Consecutive messages are merged, whole, into as few WhatsApp messages as stay within `splitAt`
 * characters (fewer messages means less waiting between them and a lower spam score); a message is never cut here.
 * A voice note goes out before the text of its message, so the menu to answer stays the last thing on screen.
 */
export function renderForWhatsApp(messages: OutMessage[], splitAt = WHATSAPP_SPLIT_AT): WaOutgoing[] {
  const out: WaOutgoing[] = [];
  let pending: string[] = [];
  let length = 0;
  const flush = () => {
    if (pending.length > 0) out.push({ kind: 'text', text: pending.join(BLOCK_GAP) });
    pending = [];
    length = 0;
  };
  for (const message of fitMessages(messages, splitAt)) {
    if (message.audio?.length) {
      flush();
      for (const audio of message.audio) out.push({ kind: 'voice', path: audio.path });
    }
    const blocks = blocksOf(message);
    if (blocks.length === 0) continue;
    // Measured as the presenter measures (the text shown, without WhatsApp's markup).
    const size = shownLength(message);
    if (pending.length > 0 && length + BLOCK_GAP.length + size > splitAt) flush();
    length += (pending.length > 0 ? BLOCK_GAP.length : 0) + size;
    pending.push(...blocks);
  }
  flush();
  return out;
}
