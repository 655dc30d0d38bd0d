// OutMessage[] -> what goes out on WhatsApp: plain text with WhatsApp's own markup, numbered menus (buttons and
// lists no longer work on WhatsApp Web), long answers split, voice notes. Pure: no I/O.
import type { OutMessage } from '../../ports/out-message.ts';

export type WaOutgoing = { kind: 'text'; text: string } | { kind: 'voice'; path: string };

/** Split long answers near this many characters (WhatsApp allows far more, but a wall of text is unreadable). */
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

/** Cuts one over-long block at the gentlest boundary available: lines, then sentences, then words, then anywhere. */
function cutBlock(block: string, max: number): string[] {
  if (block.length <= max) return [block];
  for (const boundary of [/\n/, /(?<=[.!?…])\s+/, /\s+/]) {
    const pieces = block.split(boundary).filter((p) => p.length > 0);
    if (pieces.length > 1) {
      const joiner = boundary.source === '\\n' ? '\n' : ' ';
      return pack(
        pieces.flatMap((p) => cutBlock(p, max)),
        joiner,
        max,
      );
    }
  }
  // One unbroken run of characters: cut by code points so no emoji or accent is broken in two.
  const chars = Array.from(block);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += max) out.push(chars.slice(i, i + max).join(''));
  return out;
}

/** Greedily packs pieces into chunks of at most `max` characters. */
function pack(pieces: string[], joiner: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current && current.length + joiner.length + piece.length > max) {
      chunks.push(current);
      current = piece;
    } else {
      current = current ? current + joiner + piece : piece;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/**
 * Renders a reply. Consecutive messages are merged into as few WhatsApp messages as fit (fewer messages means less
 * waiting between them and a lower spam score), split at paragraph boundaries near `splitAt` characters.
 * A voice note goes out before the text of its message, so the menu to answer stays the last thing on screen.
 */
export function renderForWhatsApp(messages: OutMessage[], splitAt = WHATSAPP_SPLIT_AT): WaOutgoing[] {
  const out: WaOutgoing[] = [];
  let pending: string[] = [];
  const flush = () => {
    const pieces = pending.flatMap((block) => cutBlock(block, splitAt));
    for (const text of pack(pieces, '\n\n', splitAt)) out.push({ kind: 'text', text });
    pending = [];
  };
  for (const message of messages) {
    if (message.audio?.length) {
      flush();
      for (const audio of message.audio) out.push({ kind: 'voice', path: audio.path });
    }
    pending.push(...blocksOf(message));
  }
  flush();
  return out;
}
