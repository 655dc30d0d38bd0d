// The terminal chat: one person talking to the real flows and runtime. Interactive on a terminal; when stdin is
// not a terminal it reads one message per line, prints the replies and exits at the end of input (for scripts).
import { createInterface } from 'node:readline';
import type { ChatRef } from '../../ports/chat.ts';
import { TEXT_ONLY } from '../../runtime/capabilities.ts';
import type { Runtime } from '../../runtime/runtime.ts';
import { parseConsoleLine } from './parse.ts';
import { renderConsoleMessage } from './render.ts';

export type ConsoleChatOptions = {
  runtime: Runtime;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  interactive: boolean;
  chat?: ChatRef;
  platformLang?: string;
};

export async function runConsoleChat(options: ConsoleChatOptions): Promise<void> {
  const { runtime, output, interactive } = options;
  const chat = options.chat ?? { channel: 'console', id: 'local' };
  const meta = { capabilities: TEXT_ONLY, ...(options.platformLang ? { platformLang: options.platformLang } : {}) };
  const print = (text: string) => output.write(`${text}\n`);
  const reply = async (line: string | null) => {
    const input = line === null ? { kind: 'start' as const } : parseConsoleLine(line);
    if (!input) return;
    const messages = await runtime.handle(chat, input, meta);
    for (const m of messages) print(`${interactive ? '\n' : ''}${renderConsoleMessage(m)}${interactive ? '' : '\n'}`);
  };

  if (interactive) print('Kunnafoni — terminal chat. Type your answers; Ctrl+D to quit.');
  await reply(null);
  const rl = createInterface({ input: options.input, terminal: interactive });
  if (interactive) {
    rl.setPrompt('> ');
    rl.prompt();
  }
  // Lines are handled strictly one after the other, as a person would send them.
  for await (const line of rl) {
    await reply(line);
    if (interactive) rl.prompt();
  }
}
