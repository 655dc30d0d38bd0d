// Child process for the Telegram benchmark: runs the loopback Bot API server and plays N people, each sending
// their next update as soon as the previous one is answered. Kept out of the bot's process, as Telegram would be,
// so the bot's CPU time per update can be measured on its own.
import { BotApiServer, callbackUpdate, type RecordedCall, textUpdate } from '../test/support/bot-api-server.ts';

export type DriverRun = {
  chats: number;
  warmupMs: number;
  durationMs: number;
  /** 'keyboard': a reply is complete at the message carrying buttons (the question ends every reply).
   *  'any': at the first message (the echo baseline answers with one message). */
  answeredBy: 'keyboard' | 'any';
  /** First chat id, so runs do not share sessions. */
  firstChatId: number;
  /** 'text': every update is a typed message ("menu"). 'buttons': typed messages alternate with presses on the
   *  first button of the last keyboard (a press also costs the bot an answerCallbackQuery call). */
  mix: 'text' | 'buttons';
};

export type DriverResult = {
  /** Updates answered during the measured window. */
  answered: number;
  /** Updates answered from the start of the play to its end (warm-up and drain included). */
  answeredTotal: number;
  seconds: number;
  /** Milliseconds from the update being available to the first send call for it, in the measured window. */
  latencies: number[];
  /** This process's CPU time (the Bot API server and the people) per update answered, in microseconds. */
  cpuUsPerUpdate: number;
};

type Message = { type: 'run'; run: DriverRun } | { type: 'stop' };

type ChatPlay = { id: number; step: number; pushedId: number; pushedAt: number; firstSendSeen: boolean };

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('run as a child process with IPC');
  const server = await BotApiServer.start();
  send({ type: 'ready', token: server.token, apiRoot: server.apiRoot });
  process.on('message', (message: Message) => {
    if (message.type === 'stop') {
      void server.close().then(() => process.disconnect());
      return;
    }
    void play(server, message.run).then((result) => send({ type: 'result', result }));
  });
}

async function play(server: BotApiServer, run: DriverRun): Promise<DriverResult> {
  const chats = new Map<string, ChatPlay>();
  const lastKeyboardData = new Map<string, string>();
  const latencies: number[] = [];
  let answered = 0;
  let answeredTotal = 0;
  let measuring = false;
  let running = true;

  const next = (chat: ChatPlay) => {
    if (!running) return;
    const key = String(chat.id);
    const data = run.mix === 'buttons' && chat.step % 2 === 1 ? lastKeyboardData.get(key) : undefined;
    const update = data ? callbackUpdate(chat.id, data) : textUpdate(chat.id, 'menu');
    chat.step++;
    chat.firstSendSeen = false;
    const [id] = server.push(update);
    chat.pushedId = id ?? 0;
    chat.pushedAt = server.queuedAt.get(chat.pushedId) ?? 0;
    server.queuedAt.delete(chat.pushedId);
  };

  const stopListening = server.onCall((call: RecordedCall) => {
    if (call.method !== 'sendMessage' || call.chatId === undefined) return;
    const chat = chats.get(call.chatId);
    if (!chat) return;
    if (!chat.firstSendSeen) {
      chat.firstSendSeen = true;
      if (measuring) latencies.push(call.at - chat.pushedAt);
    }
    const keyboard = (call.params.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)
      ?.inline_keyboard;
    const first = keyboard?.[0]?.[0]?.callback_data;
    if (first) lastKeyboardData.set(call.chatId, first);
    if (run.answeredBy === 'keyboard' && !keyboard) return;
    answeredTotal++;
    if (measuring) answered++;
    next(chat);
  });

  server.clearCalls();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < run.chats; i++) {
    const chat: ChatPlay = { id: run.firstChatId + i, step: 0, pushedId: 0, pushedAt: 0, firstSendSeen: false };
    chats.set(String(chat.id), chat);
    next(chat);
  }
  await sleep(run.warmupMs);
  server.clearCalls();
  measuring = true;
  const started = performance.now();
  await sleep(run.durationMs);
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  running = false;
  // Let the last replies drain so the next run starts clean.
  await sleep(300);
  const cpu = process.cpuUsage(cpuBefore);
  stopListening();
  server.clearCalls();
  return {
    answered,
    answeredTotal,
    seconds,
    latencies,
    cpuUsPerUpdate: (cpu.user + cpu.system) / Math.max(1, answeredTotal),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

void main();
