import { z } from 'zod';
import { defineAction, splitList, template } from './action.ts';

export const playAudio = defineAction({
  name: 'play_audio',
  description:
    'Sends the voice notes of these recordings (comma-separated items, usually "{{audible}}": what was just said).',
  schema: z.object({ items: template }).strict(),
  run(value, ctx) {
    const lang = ctx.session.lang ?? ctx.env.lang;
    const approved = new Set(ctx.env.recordings?.[lang] ?? []);
    // Only recordings that exist in the person's language: nothing else is promised.
    const items = splitList(ctx.fill(value.items)).filter((item) => approved.has(item));
    if (items.length > 0) ctx.emit({ type: 'play_audio', items });
  },
});
