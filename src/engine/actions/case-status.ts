import { z } from 'zod';
import { parseCaseNumber } from '../case-number.ts';
import { defineAction, template } from './action.ts';

export const caseStatus = defineAction({
  name: 'case_status',
  description: 'Tells the person where their case stands (the number as typed, usually "{{case_no}}").',
  schema: z.object({ case: template }).strict(),
  run(value, ctx) {
    const no = parseCaseNumber(ctx.fill(value.case));
    if (no) ctx.emit({ type: 'case_status', no });
    else ctx.say('referral.case_number_unclear');
  },
});
