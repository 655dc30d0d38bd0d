import { z } from 'zod';
import { defineAction } from './action.ts';

export const eraseMyData = defineAction({
  name: 'erase_my_data',
  description: 'Erases everything the bot holds about the person (session, cases, subscriptions).',
  schema: z.literal(true),
  run(_value, ctx) {
    ctx.session.vars = {};
    ctx.emit({ type: 'erase_my_data' });
  },
});
