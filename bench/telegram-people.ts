// People for the Telegram benchmark: N closed-loop chats on the loopback Bot API server, each sending its next
// update as soon as the previous one is answered (the message carrying a keyboard: every reply of the bot ends with
// a question, and the baseline echoes with a button). Each person follows the same realistic script: first contact
// (/start, language button), then free-text questions, menu numbers, button presses, /start and a keyword.
import { type BotApiServer, callbackUpdate, type RecordedCall, textUpdate } from '../test/support/bot-api-server.ts';

export type PlayOptions = {
  chats: number;
  warmupMs: number;
  durationMs: number;
  firstChatId: number;
  /**
   * Fixed work instead of a time window: each person goes through first contact and this many loops of the script,
   * then stops; everything is measured and the play ends with the last answer. Every run then does the same mix,
   * so CPU per update compares like with like on a busy machine (a time window there may end mid-script).
   */
  loops?: number;
};

export type PlayResult = {
  /** Updates answered in the measured window. */
  answered: number;
  /** Updates answered from the start of the play to its end (warm-up and drain included). */
  answeredTotal: number;
  seconds: number;
  /** Update available -> first message for it, and -> the complete reply (its keyboard), ms, measured window. */
  firstMs: number[];
  completeMs: number[];
  /** Updates without a complete reply within STALL_MS (counted, then the person goes on). */
  stalled: number;
  /** Bot API calls per answered update, by method, in the measured window. */
  callsPerUpdate: Record<string, number>;
  /** Updates sent, by kind, in the measured window. */
  mix: Record<Step['kind'], number>;
};

type Step = { kind: 'question' | 'number' | 'button' | 'start' | 'keyword'; text?: string };

/** Free-text questions as people type them (accents missing, SMS style, several languages). */
const QUESTIONS = [
  "j'ai ete expulse d'algerie qu'est ce que je peux faire",
  'la police a pris mon passeport',
  'comment avoir une carte d identite au mali',
  'je veux rentrer chez moi au mali comment faire',
  'mon frere a disparu en libye',
  'i was arrested abroad what are my rights',
  'aide pour le retour volontaire',
  'est ce que je peux travailler en cote divoire',
];

const FIRST_CONTACT: Step[] = [{ kind: 'start' }, { kind: 'button' }];
const LOOP: Step[] = [
  { kind: 'question' },
  { kind: 'button' },
  { kind: 'number', text: '1' },
  { kind: 'button' },
  { kind: 'button' },
  { kind: 'start' },
  { kind: 'question' },
  { kind: 'keyword', text: 'menu' },
];

const STALL_MS = 5_000;

type Person = {
  id: number;
  key: string;
  step: number;
  pushedAt: number;
  firstSeen: boolean;
  keyboardData: string | undefined;
  stall: NodeJS.Timeout | undefined;
};

export async function play(server: BotApiServer, options: PlayOptions): Promise<PlayResult> {
  const people = new Map<string, Person>();
  const result: PlayResult = {
    answered: 0,
    answeredTotal: 0,
    seconds: 0,
    firstMs: [],
    completeMs: [],
    stalled: 0,
    callsPerUpdate: {},
    mix: { question: 0, number: 0, button: 0, start: 0, keyword: 0 },
  };
  let measuring = false;
  let running = true;
  let questions = 0;

  const stepOf = (n: number): Step =>
    n < FIRST_CONTACT.length ? FIRST_CONTACT[n]! : LOOP[(n - FIRST_CONTACT.length) % LOOP.length]!;

  const fixed = options.loops !== undefined ? FIRST_CONTACT.length + options.loops * LOOP.length : undefined;
  let finished = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });

  const next = (person: Person) => {
    if (person.stall) clearTimeout(person.stall);
    if (!running) return;
    if (fixed !== undefined && person.step >= fixed) {
      if (++finished === options.chats) allDone();
      return;
    }
    const step = stepOf(person.step++);
    let update: ReturnType<typeof textUpdate>;
    if (step.kind === 'button' && person.keyboardData) update = callbackUpdate(person.id, person.keyboardData);
    else if (step.kind === 'start') update = textUpdate(person.id, '/start', { languageCode: 'fr' });
    else if (step.kind === 'question' || step.kind === 'button')
      update = textUpdate(person.id, QUESTIONS[questions++ % QUESTIONS.length]!);
    else update = textUpdate(person.id, step.text ?? 'menu');
    if (measuring) result.mix[step.kind]++;
    person.firstSeen = false;
    const [id] = server.push(update);
    person.pushedAt = server.queuedAt.get(id ?? 0) ?? performance.timeOrigin + performance.now();
    server.queuedAt.delete(id ?? 0);
    person.stall = setTimeout(() => {
      if (measuring) result.stalled++;
      next(person);
    }, STALL_MS);
  };

  const calls = new Map<string, number>();
  const stopListening = server.onCall((call: RecordedCall) => {
    if (measuring) calls.set(call.method, (calls.get(call.method) ?? 0) + 1);
    if (call.method !== 'sendMessage' || call.chatId === undefined) return;
    const person = people.get(call.chatId);
    if (!person) return;
    if (!person.firstSeen) {
      person.firstSeen = true;
      if (measuring) result.firstMs.push(call.at - person.pushedAt);
    }
    const keyboard = (call.params.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)
      ?.inline_keyboard;
    if (!keyboard) return;
    person.keyboardData = keyboard[0]?.[0]?.callback_data;
    result.answeredTotal++;
    if (measuring) {
      result.answered++;
      result.completeMs.push(call.at - person.pushedAt);
    }
    next(person);
  });

  server.clearCalls();
  // Fixed work: everything counts, from the first update.
  let started = performance.now();
  if (fixed !== undefined) measuring = true;
  for (let i = 0; i < options.chats; i++) {
    const id = options.firstChatId + i;
    const person: Person = {
      id,
      key: String(id),
      step: 0,
      pushedAt: 0,
      firstSeen: false,
      keyboardData: undefined,
      stall: undefined,
    };
    people.set(person.key, person);
    next(person);
  }
  if (fixed !== undefined) await done;
  else {
    await sleep(options.warmupMs);
    server.clearCalls();
    measuring = true;
    started = performance.now();
    await sleep(options.durationMs);
  }
  measuring = false;
  result.seconds = (performance.now() - started) / 1000;
  for (const [method, n] of calls)
    result.callsPerUpdate[method] = Number((n / Math.max(1, result.answered)).toFixed(2));
  running = false;
  for (const person of people.values()) if (person.stall) clearTimeout(person.stall);
  // Let the last replies drain so the next run starts clean.
  await sleep(300);
  stopListening();
  server.clearCalls();
  return result;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
