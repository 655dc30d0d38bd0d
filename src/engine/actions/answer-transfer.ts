import { z } from 'zod';
import { parseCaseNumber } from '../case-number.ts';
import { defineAction, template } from './action.ts';

export const answerTransfer = defineAction({
  name: 'answer_transfer',
  description:
    'The person\'s answer to a transfer staff proposed (case usually "{{transfer_case}}"): `accept: "yes"` moves ' +
    'the case to the proposed association, anything else keeps it where it is.',
  schema: z.object({ case: template, accept: template }).strict(),
  run(value, ctx) {
    const no = parseCaseNumber(ctx.fill(value.case));
    if (no) ctx.emit({ type: 'answer_transfer', no, accept: ctx.fill(value.accept) === 'yes' });
    else ctx.say('referral.case_number_unclear');
  },
});
