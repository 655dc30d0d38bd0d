// A person's message relayed to staff carries a stable key (its journal entry, see runtime/journal.ts), so a relay
// carried out again after a crash reaches staff once: the append script marks the key 'appended' with the message
// (case-scripts.ts), and once staff were told it becomes 'told'. A replay finding 'appended' tells staff (the crash
// fell between the two); finding 'told', it does nothing more. The marks live beside the case and go with its
// messages when it is erased or purged.
import type { Redis } from 'ioredis';
import { luaScript, runLua } from '../infra/lua.ts';

/** Marks the key told, only if its message is still there (an erasure meanwhile leaves nothing behind). */
const MARK_TOLD = luaScript(
  'kf:relay-mark-told',
  { keys: ['marks'], argv: ['key'] },
  `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], 'told') end
return 1
`,
);

export async function markRelayTold(redis: Redis, caseKey: string, key: string): Promise<void> {
  await runLua(redis, MARK_TOLD, { marks: `${caseKey}:relayed` }, { key });
}

/** The index of the case (by its key) where `key` was relayed already, or -1. */
export async function relayMarkedIn(redis: Redis, caseKeys: readonly string[], key: string): Promise<number> {
  if (caseKeys.length === 0) return -1;
  const pipeline = redis.pipeline();
  for (const caseKey of caseKeys) pipeline.hexists(`${caseKey}:relayed`, key);
  const replies = (await pipeline.exec()) ?? [];
  return replies.findIndex(([err, found]) => !err && found === 1);
}
