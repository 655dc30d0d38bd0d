import { z } from 'zod';
import { defineAction, varName } from './action.ts';

export const clear = defineAction({
  name: 'clear',
  description: 'Forgets session variables.',
  schema: z.array(varName),
  run(value, ctx) {
    for (const k of value) delete ctx.session.vars[k];
  },
});
