import { z } from 'zod';
import { defineAction, template } from './action.ts';

export const searchFaq = defineAction({
  name: 'search_faq',
  description: 'Sets `faq` (the match), `search` (found | unsure | off_topic) and `suggestions`.',
  schema: z.object({ query: template }).strict(),
  run(value, ctx) {
    const s = ctx.session;
    const result = ctx.env.content.search(ctx.fill(value.query), s.lang ?? null);
    s.vars.search = result.match ? 'found' : result.offTopic ? 'off_topic' : 'unsure';
    if (result.match) s.vars.faq = result.match;
    s.vars.suggestions = result.results
      .slice(0, 3)
      .map((r) => r.id)
      .join(',');
  },
});
