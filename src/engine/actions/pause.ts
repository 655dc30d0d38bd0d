import { z } from 'zod';
import { defineAction } from './action.ts';

export const pause = defineAction({
  name: 'pause',
  description: 'Pauses every alert the person follows (the "stop" keyword).',
  schema: z.literal(true),
  run(_value, ctx) {
    ctx.emit({ type: 'pause' });
  },
});
