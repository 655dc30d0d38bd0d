import { z } from 'zod';
import { defineAction, template, varName } from './action.ts';

export const refer = defineAction({
  name: 'refer',
  description:
    'Hands the case to the association in `partner` (see find_partner) with the listed fields; `urgent: "yes"` ' +
    'for a person in danger (staff see it first).',
  schema: z
    .object({ need: template, region: template, urgent: template.optional(), fields: z.array(varName).default([]) })
    .strict(),
  run(value, ctx) {
    const s = ctx.session;
    s.intakes += 1;
    const fields: Record<string, string> = {};
    for (const name of value.fields) {
      const v = s.vars[name];
      if (v) fields[name] = v;
    }
    ctx.emit({
      type: 'refer',
      intakeId: `i${s.intakes}`,
      need: ctx.fill(value.need),
      region: ctx.fill(value.region),
      ...(s.vars.partner ? { partner: s.vars.partner } : {}),
      ...(value.urgent && ctx.fill(value.urgent) === 'yes' ? { urgent: true as const } : {}),
      fields,
    });
  },
});
