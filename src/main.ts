// Composition root of `npm start`: builds everything from the configuration and runs until SIGTERM/SIGINT.
import path from 'node:path';
import { loadBundle } from './app/bundle.ts';
import { chooseRedis } from './app/redis-target.ts';
import type { CliIo } from './cli/io.ts';
import { formatProblem } from './common/source-problems.ts';
import { ConfigError, parseConfig } from './config.ts';
import { devDataKeys, PersonalDataCipher, parseDataKeys } from './infra/crypto.ts';
import { RedisKeys } from './infra/keys.ts';
import { createLogger } from './infra/logger.ts';
import { MissingRedisServerError } from './infra/private-redis.ts';
import { connectRedis } from './infra/redis.ts';
import { RedisChatLock } from './infra/redis-chat-lock.ts';
import { RedisSessionStore } from './infra/redis-session-store.ts';
import { systemClock } from './ports/clock.ts';
import { createRuntime } from './runtime/runtime.ts';

export async function runService(io: CliIo): Promise<number> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, logMessageText: config.LOG_MESSAGE_TEXT });
  const root = path.resolve(io.cwd, config.KUNNAFONI_ROOT);
  const dataDir = path.resolve(io.cwd, config.KUNNAFONI_DATA_DIR);

  const { bundle, problems } = await loadBundle(root);
  if (!bundle) {
    for (const p of problems.filter((p) => p.severity === 'error')) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write('The flows or content have errors: run `npx kunnafoni validate`.\n');
    return 1;
  }

  let redisChoice: Awaited<ReturnType<typeof chooseRedis>>;
  try {
    redisChoice = await chooseRedis(config.REDIS_URL, dataDir);
  } catch (err) {
    io.stderr.write(`${err instanceof MissingRedisServerError ? err.message : String(err)}\n`);
    return 1;
  }
  const redis = connectRedis(redisChoice.target);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  const keys = new RedisKeys(config.REDIS_PREFIX);
  const cipher = new PersonalDataCipher(
    config.KUNNAFONI_DATA_KEY ? parseDataKeys(config.KUNNAFONI_DATA_KEY) : devDataKeys('development-only'),
  );
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    store: new RedisSessionStore(redis, keys, cipher, config.SESSION_TTL_DAYS * 86_400_000),
    lock: new RedisChatLock(redis, keys),
    clock: systemClock,
    logger,
  });
  void runtime;

  const channels: string[] = [];
  logger.info({ redis: redisChoice.description, channels }, 'kunnafoni started');
  if (channels.length === 0) {
    io.stdout.write(
      'Kunnafoni is running, but no channel is connected. Set TELEGRAM_BOT_TOKEN (from @BotFather) or ' +
        'WHATSAPP_ENABLED=true in .env, then restart. To try the bot right now: npx kunnafoni chat\n',
    );
  }

  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    redis.disconnect();
    await redisChoice.privateRedis?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  // Stay alive until a signal (standard input is never read, so closing it does not stop the service).
  setInterval(() => undefined, 1 << 30);
  return 0;
}
