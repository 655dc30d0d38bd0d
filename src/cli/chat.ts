// `kunnafoni chat [--lang fr|en|bm] [--root DIR]`: talk to the real flows and runtime in the terminal.
// Sessions are kept in memory, so no Redis and no token are needed to try the flows.
import path from 'node:path';
import { loadBundle } from '../app/bundle.ts';
import { runConsoleChat } from '../channels/console/adapter.ts';
import { formatProblem } from '../common/source-problems.ts';
import { LANGUAGES, type Lang, newSession } from '../engine/types.ts';
import { silentLogger } from '../infra/logger.ts';
import { MemorySessionStore } from '../infra/memory-session-store.ts';
import { LocalChatQueue } from '../infra/redis-chat-lock.ts';
import type { ChatRef } from '../ports/chat.ts';
import { systemClock } from '../ports/clock.ts';
import { createRuntime } from '../runtime/runtime.ts';
import { type Args, stringOption } from './args.ts';
import type { CliIo } from './io.ts';

export async function chatCommand(args: Args, io: CliIo): Promise<number> {
  const lang = stringOption(args, 'lang');
  if (lang !== undefined && !(LANGUAGES as readonly string[]).includes(lang)) {
    io.stderr.write(`chat: --lang must be one of ${LANGUAGES.join(', ')} (got "${lang}")\n`);
    return 2;
  }
  const root = path.resolve(io.cwd, stringOption(args, 'root') ?? '.');
  const { bundle, problems } = await loadBundle(root);
  if (!bundle) {
    for (const p of problems.filter((p) => p.severity === 'error')) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write('chat: the flows or content have errors; run `npx kunnafoni validate`\n');
    return 1;
  }
  const store = new MemorySessionStore();
  const chat: ChatRef = { channel: 'console', id: 'local' };
  // --lang means the person already chose a language: no language question.
  if (lang) await store.save(chat, { ...newSession(), lang: lang as Lang }, 0);
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    store,
    lock: new LocalChatQueue(),
    clock: systemClock,
    logger: silentLogger(),
  });
  await runConsoleChat({
    runtime,
    input: io.stdin,
    output: io.stdout,
    interactive: Boolean(io.stdin.isTTY),
    chat,
    ...(lang ? { platformLang: lang } : {}),
  });
  return 0;
}
