// The command timeout of the bot's Redis connection, kept by one clock per connection instead of ioredis's
// `commandTimeout`, which arms and clears a timer for every command (and deletes a property of each command, which
// slows it down): about 2% of a Telegram reply's CPU. Same outcome: a command not answered within the timeout,
// written or waiting in the offline queue, fails with "Command timed out" (never sooner than the timeout, at most a
// tick later), so callers degrade instead of hanging on a half-open connection.
import type { Redis } from 'ioredis';

/** How often the connection's clock ticks while commands are in flight. */
const TICK_MS = 250;
const SENT_AT = Symbol('sent at tick');

type Command = { isSettled?: boolean; reject(error: Error): void; [SENT_AT]?: number };
type Queue = { length: number; peekAt(index: number): { command: Command } | undefined };
/** ioredis keeps the commands written and not answered, and those waiting for a connection, in these queues. */
type Internals = { commandQueue: Queue; offlineQueue: Queue };

export function boundCommands(redis: Redis, timeoutMs: number): Redis {
  const internals = redis as unknown as Internals;
  // A command times out once this many whole ticks went by after the one it was sent in.
  const ticks = Math.ceil(timeoutMs / TICK_MS);
  let tick = 0;
  let clock: NodeJS.Timeout | undefined;

  const sweep = (queue: Queue): number => {
    let waiting = 0;
    for (let i = 0; i < queue.length; i++) {
      const command = queue.peekAt(i)?.command;
      if (!command || command.isSettled) continue;
      const sent = command[SENT_AT];
      if (sent !== undefined && tick - sent > ticks) command.reject(new Error('Command timed out'));
      else waiting++;
    }
    return waiting;
  };
  const onTick = () => {
    tick++;
    if (sweep(internals.commandQueue) + sweep(internals.offlineQueue) === 0) {
      clearInterval(clock);
      clock = undefined;
    }
  };

  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: Command, stream?: unknown) => {
    // Sent again from the offline queue after a reconnect: the deadline still counts from the first time.
    command[SENT_AT] ??= tick;
    if (clock === undefined) clock = setInterval(onTick, TICK_MS).unref();
    return send(command as never, stream as never);
  }) as Redis['sendCommand'];
  return redis;
}
