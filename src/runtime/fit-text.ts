// Fits messages to a channel's declared text limit (ChannelCapabilities.maxText): a message longer than the limit
// becomes several, cut at paragraph boundaries (a paragraph longer than the limit at line breaks, then sentence
// ends, then spaces, and only as a last resort between two characters). Nothing is lost or reordered; the choices,
// the hint and the voice note stay with the last part, where the person answers. Plain text, before any markup.
// The one rule for text lengths: channels do not split again; a renderer given messages from another path (an
// alert, a staff message) fits them with this same function.
import type { OutMessage } from '../ports/out-message.ts';

/** Between two paragraphs of one message, as channels show them. */
const PARAGRAPH_GAP = 2;

/** The characters a message shows: its title, paragraphs, choices and hint. */
export function shownLength(message: OutMessage): number {
  // Counted as it goes (every message of every reply passes here): no list of the texts is built.
  let length = 0;
  let texts = 0;
  if (message.title) {
    length += message.title.length;
    texts++;
  }
  for (const paragraph of message.paragraphs) {
    length += paragraph.length;
    texts++;
  }
  // A choice shows as "<label>. ".
  for (const choice of message.choices ?? []) {
    length += choice.label.length + 2;
    texts++;
  }
  if (message.hint) {
    length += message.hint.length;
    texts++;
  }
  return length + PARAGRAPH_GAP * Math.max(0, texts - 1);
}

/** Each message within `maxText` characters, split where it would not be. */
export function fitMessages(messages: readonly OutMessage[], maxText: number): OutMessage[] {
  return messages.flatMap((message) => (shownLength(message) <= maxText ? [message] : split(message, maxText)));
}

function split(message: OutMessage, maxText: number): OutMessage[] {
  const { title, paragraphs, ...answer } = message;
  // What must stay together at the end: the question's choices and hint (and its last words).
  const tail = shownLength({ paragraphs: [], ...answer });
  const room = Math.max(1, maxText - (title ? title.length + PARAGRAPH_GAP : 0));
  const pieces = paragraphs.flatMap((p) => (p.length > room ? splitParagraph(p, room) : [p]));
  const parts: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    const added = (current.length > 0 ? PARAGRAPH_GAP : 0) + piece.length;
    if (current.length > 0 && length + added > room) {
      parts.push(current);
      current = [];
      length = 0;
    }
    length += (current.length > 0 ? PARAGRAPH_GAP : 0) + piece.length;
    current.push(piece);
  }
  // The answer part (choices, hint) goes with the last paragraphs if they fit together, else with the last
  // paragraph alone (the question asked stays above its choices), else on its own.
  if (current.length > 0 && tail > 0 && length + PARAGRAPH_GAP + tail > room) {
    const last = current.pop()!;
    if (current.length > 0) parts.push(current);
    if (last.length + PARAGRAPH_GAP + tail <= room) current = [last];
    else {
      parts.push([last]);
      current = [];
    }
  }
  parts.push(current);
  return parts.map((part, index) => {
    const last = index === parts.length - 1;
    const out: OutMessage = { ...(last ? answer : {}), paragraphs: part };
    if (index === 0 && title) out.title = title;
    return out;
  });
}

/** One paragraph in pieces of at most `limit` characters, at the gentlest boundary available. */
export function splitParagraph(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut = window.lastIndexOf('\n');
    if (cut < limit / 2) {
      cut = Math.max(window.lastIndexOf('. '), window.lastIndexOf('! '), window.lastIndexOf('? ')) + 1;
    }
    if (cut < limit / 2) cut = window.lastIndexOf(' ');
    if (cut < limit / 2) cut = safeCut(rest, limit);
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** Never between the two halves of a surrogate pair (an emoji would become two broken characters). */
function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}
