// The baseline of the Telegram benchmark, run as its own process like `npm start`: what any grammY bot on the
// runner costs — sequential per chat, one Redis round trip per update, an echo with one button (a press is answered
// with answerCallbackQuery and another echo). Reads BENCH_TOKEN, BENCH_API_ROOT, REDIS_URL, BENCH_PREFIX; prints
// "ready" once polling; stops on SIGTERM.
import { run, sequentialize } from '@grammyjs/runner';
import { Bot, InlineKeyboard } from 'grammy';
import { Redis } from 'ioredis';

const bot = new Bot(process.env.BENCH_TOKEN!, { client: { apiRoot: process.env.BENCH_API_ROOT! } });
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
const counter = `{${process.env.BENCH_PREFIX ?? 'bench'}}:baseline-count`;
const keyboard = new InlineKeyboard().text('Encore', 'again');

bot.use(sequentialize((ctx) => String(ctx.chat?.id ?? ctx.from?.id)));
bot.on('message:text', async (ctx) => {
  await redis.incr(counter);
  await ctx.reply(ctx.message.text, { reply_markup: keyboard });
});
bot.on('callback_query:data', async (ctx) => {
  // Answered alongside the reply, as the bot's channel does.
  const answered = ctx.answerCallbackQuery();
  await redis.incr(counter);
  await ctx.reply(ctx.callbackQuery.data, { reply_markup: keyboard });
  await answered;
});
await bot.init();
const runner = run(bot, { runner: { fetch: { timeout: 5 }, silent: true } });
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void runner
    .stop()
    .then(() => redis.del(counter))
    .finally(() => {
      redis.disconnect();
      process.exit(0);
    });
});
