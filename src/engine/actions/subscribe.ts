import { z } from 'zod';
import { defineAction, splitList, template } from './action.ts';

export const subscribe = defineAction({
  name: 'subscribe',
  description: 'Subscribes to alert topics (comma-separated), optionally for a region; no topic resumes paused alerts.',
  schema: z.object({ topics: template, region: template.optional() }).strict(),
  run(value, ctx) {
    const topics = splitList(ctx.fill(value.topics));
    const region = value.region ? ctx.fill(value.region) : undefined;
    ctx.emit({ type: 'subscribe', topics, ...(region ? { region } : {}) });
  },
});
