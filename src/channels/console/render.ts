// Messages as terminal text: the title, the paragraphs, choices as numbered lines, then how to answer.
import type { OutMessage } from '../../ports/out-message.ts';

export function renderConsoleMessage(message: OutMessage): string {
  const lines: string[] = [];
  if (message.title) lines.push(`== ${message.title} ==`);
  lines.push(...message.paragraphs);
  if (!message.typedAnswer) {
    message.choices?.forEach((c, i) => {
      lines.push(`${i + 1}. ${c.label}`);
    });
  }
  if (message.hint) lines.push(message.hint);
  if (message.audio) lines.push(`[voice note: ${message.audio}]`);
  return lines.join('\n');
}
