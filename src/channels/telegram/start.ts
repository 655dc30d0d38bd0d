// Starting the Telegram channel from `npm start`: Telegram answering 401 (a wrong token) is fatal with one clear
// line; Telegram unreachable is retried quietly in the background.
import { GrammyError } from 'grammy';
import type { Logger } from '../../infra/logger.ts';
import { errorSummary } from '../../runtime/runtime.ts';
import type { TelegramChannel } from './adapter.ts';

/** Resolves with null once started (or still trying after 10 s), or with the line to print when it cannot start. */
export async function startTelegram(telegram: Pick<TelegramChannel, 'start'>, logger: Logger): Promise<string | null> {
  const started = telegram.start().then(
    () => null,
    (err: unknown) => err,
  );
  const outcome = await Promise.race([started, new Promise((r) => setTimeout(() => r('slow'), 10_000).unref())]);
  if (outcome === 'slow') {
    logger.warn('telegram: not reachable yet, still trying in the background');
    void started.then((err) => {
      if (err) logger.error({ err: errorSummary(err) }, 'telegram: could not start');
      else logger.info('telegram: connected');
    });
    return null;
  }
  if (outcome === null) return null;
  if (outcome instanceof GrammyError && outcome.error_code === 401) {
    return 'TELEGRAM_BOT_TOKEN was refused by Telegram (401 Unauthorized): check the token from @BotFather.';
  }
  return `Telegram could not start: ${errorSummary(outcome)}`;
}
