import { z } from 'zod';
import { defineAction, template } from './action.ts';

export const findPartner = defineAction({
  name: 'find_partner',
  description:
    "Sets `partner` to the association a referral would go to: the routing's, else the default partner (empty when none).",
  schema: z.object({ region: template, need: template }).strict(),
  run(value, ctx) {
    const partner = ctx.env.content.referralPartnerFor(ctx.fill(value.region), ctx.fill(value.need));
    ctx.session.vars.partner = partner ?? ctx.env.facts?.defaultPartner ?? '';
  },
});
