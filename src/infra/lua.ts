// The one way Lua runs on Redis here (BullMQ's pattern): a script declares its KEYS and ARGV by name in a header,
// callers pass them by name, and it runs with EVALSHA (the source goes to Redis once, again only after a
// SCRIPT FLUSH or a restart answers NOSCRIPT). The header is part of the source Redis sees, so `SCRIPT` dumps and
// slow logs read with their meaning:
//
//   --[[ kf:chat-lock-load
//     KEYS[1] lock     KEYS[2] session
//     ARGV[1] token    ARGV[2] ttl (ms)
//   ]]
//
// A body that reads a KEYS[n] or ARGV[n] the header does not declare is refused when the module loads.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LuaScript<K extends string, A extends string> = {
  readonly name: string;
  readonly keys: readonly K[];
  readonly argv: readonly A[];
  /** The source as sent to Redis, header included. */
  readonly source: string;
  readonly sha: string;
};

/** Declares a script: its name, its KEYS and ARGV in order (named), and its body. */
export function luaScript<const K extends string, const A extends string>(
  name: string,
  header: { keys: readonly K[]; argv: readonly A[] },
  body: string,
): LuaScript<K, A> {
  for (const [table, declared] of [
    ['KEYS', header.keys.length],
    ['ARGV', header.argv.length],
  ] as const) {
    for (const match of body.matchAll(new RegExp(`${table}\\[(\\d+)\\]`, 'g'))) {
      const index = Number(match[1]);
      if (index < 1 || index > declared) {
        throw new Error(`Lua script ${name}: ${table}[${index}] is used but the header declares ${declared}`);
      }
    }
  }
  const lines = [
    `--[[ ${name}`,
    ...header.keys.map((k, i) => `  KEYS[${i + 1}] ${k}`),
    ...header.argv.map((a, i) => `  ARGV[${i + 1}] ${a}`),
    ']]',
  ];
  const source = `${lines.join('\n')}\n${body.trim()}\n`;
  return {
    name,
    keys: header.keys,
    argv: header.argv,
    source,
    sha: createHash('sha1').update(source).digest('hex'),
  };
}

/** Runs the script with its KEYS and ARGV given by name. */
export function runLua<K extends string, A extends string>(
  redis: Redis,
  script: LuaScript<K, A>,
  keys: Record<K, string>,
  argv: Record<A, string | number>,
): Promise<unknown> {
  // One array for EVALSHA's arguments, and no async frame of its own: it runs twice per reply (issue 17.7).
  const args: (string | number)[] = [];
  for (const k of script.keys) args.push(keys[k]);
  for (const a of script.argv) args.push(argv[a]);
  return redis.evalsha(script.sha, script.keys.length, ...args).catch((error: unknown) => {
    if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
    return redis.eval(script.source, script.keys.length, ...args);
  });
}
