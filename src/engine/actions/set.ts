import { z } from 'zod';
import { defineAction, isLiteral, template, varName } from './action.ts';

export const set = defineAction({
  name: 'set',
  description: 'Sets session variables.',
  schema: z.record(varName, template),
  check(value, ctx) {
    for (const [name, v] of Object.entries(value)) {
      if (name === 'faq' && isLiteral(v) && !ctx.faqIds.has(v)) ctx.problem([name], `unknown FAQ "${v}"`);
      if (name === 'topic' && isLiteral(v) && !ctx.topicIds.has(v)) ctx.problem([name], `unknown topic "${v}"`);
    }
  },
  run(value, ctx) {
    for (const [k, v] of Object.entries(value)) ctx.session.vars[k] = ctx.fill(v);
  },
});
