import { z } from 'zod';
import { defineAction, isLiteral, template } from './action.ts';

export const showFaq = defineAction({
  name: 'show_faq',
  description: 'Shows an FAQ answer (its short part, or `more`); sets `faq` and `faq_more` (yes | no).',
  schema: z.object({ faq: template, part: z.enum(['short', 'more']).default('short') }).strict(),
  check(value, ctx) {
    if (isLiteral(value.faq) && !ctx.faqIds.has(value.faq)) ctx.problem(['faq'], `unknown FAQ "${value.faq}"`);
  },
  run(value, ctx) {
    const faqId = ctx.fill(value.faq);
    const content = ctx.env.content;
    if (!content.faqIds.has(faqId)) return ctx.say('error.faq_missing');
    ctx.session.vars.faq = faqId;
    // "More" only where there is more in the person's language (not the French text shown again).
    ctx.session.vars.faq_more = content.faqHasMore(faqId, ctx.session.lang ?? ctx.env.lang) ? 'yes' : 'no';
    // The "being reviewed" notice is said once per conversation, not on every answer.
    const noticeShown = ctx.session.vars.review_notice === 'shown';
    ctx.session.vars.review_notice = 'shown';
    ctx.emit({ type: 'show_faq', faqId, part: value.part, ...(noticeShown ? { noticeShown: true as const } : {}) });
  },
});
