import { z } from 'zod';
import { defineAction } from './action.ts';

export const listSubscriptions = defineAction({
  name: 'list_subscriptions',
  description: 'Shows the alert topics the person follows.',
  schema: z.literal(true),
  run(_value, ctx) {
    ctx.emit({ type: 'list_subscriptions' });
  },
});
