// The terminal chat: one person talking to the real flows and runtime. Interactive on a terminal; when stdin is
// not a terminal it reads one message per line, prints the replies and exits at the end of input (for scripts).
import { createInterface } from 'node:readline';
import type { ChatRef } from '../../ports/chat.ts';
import type { OutMessage } from '../../ports/out-message.ts';
import type { Outbox } from '../../ports/outbox.ts';
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
  /** Printed before the first reply (e.g. what this chat cannot do). */
  notice?: string;
  /** Ends the chat as if the input had ended (a signal). */
  stop?: AbortSignal;
};

/** Prints messages as the terminal chat does: a blank line between messages. */
export function consolePrinter(output: NodeJS.WritableStream, interactive: boolean): (messages: OutMessage[]) => void {
  return (messages) => {
    for (const m of messages) {
      output.write(`${interactive ? '\n' : ''}${renderConsoleMessage(m)}\n${interactive ? '' : '\n'}`);
    }
  };
}

/** Messages a service sends outside a reply (a staff answer, a case update), printed in this terminal. */
export function consoleOutbox(chat: ChatRef, print: (messages: OutMessage[]) => void): Outbox {
  return {
    async send(to, messages) {
      if (to.channel !== chat.channel || to.id !== chat.id) throw new Error('not the chat of this terminal');
      print(messages);
    },
  };
}

export async function runConsoleChat(options: ConsoleChatOptions): Promise<void> {
  const { runtime, output, interactive } = options;
  const chat = options.chat ?? { channel: 'console', id: 'local' };
  const meta = { capabilities: TEXT_ONLY, ...(options.platformLang ? { platformLang: options.platformLang } : {}) };
  const print = consolePrinter(output, interactive);
  const reply = async (line: string | null) => {
    const input = line === null ? { kind: 'start' as const } : parseConsoleLine(line);
    if (!input) return;
    print(await runtime.handle(chat, input, meta));
  };

  if (interactive) output.write('Kunnafoni — terminal chat. Type your answers; Ctrl+D to quit.\n');
  if (options.notice) output.write(`${interactive ? '\n' : ''}${options.notice}\n${interactive ? '' : '\n'}`);
  if (options.stop?.aborted) return;
  await reply(null);
  const rl = createInterface({ input: options.input, terminal: interactive });
  options.stop?.addEventListener('abort', () => rl.close(), { once: true });
  if (interactive) {
    // Ctrl+C ends the chat like Ctrl+D (the services then stop cleanly).
    rl.on('SIGINT', () => rl.close());
    rl.setPrompt('> ');
    rl.prompt();
  }
  // Lines are handled strictly one after the other, as a person would send them.
  for await (const line of rl) {
    await reply(line);
    if (interactive) rl.prompt();
  }
}
