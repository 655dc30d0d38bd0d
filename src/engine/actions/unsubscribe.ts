import { z } from 'zod';
import { defineAction, splitList, template } from './action.ts';

export const unsubscribe = defineAction({
  name: 'unsubscribe',
  description: 'Unsubscribes from alert topics (comma-separated), or from everything with "all".',
  schema: z.object({ topics: template }).strict(),
  run(value, ctx) {
    const topics = ctx.fill(value.topics);
    ctx.emit({ type: 'unsubscribe', topics: topics === 'all' ? [] : splitList(topics) });
  },
});
