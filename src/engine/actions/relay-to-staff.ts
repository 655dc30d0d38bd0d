import { z } from 'zod';
import { defineAction, template } from './action.ts';

export const relayToStaff = defineAction({
  name: 'relay_to_staff',
  description: "Passes a message to the staff member who holds the person's case (see the `case_held` fact).",
  schema: z.object({ text: template }).strict(),
  run(value, ctx) {
    const text = ctx.fill(value.text).trim();
    if (text) ctx.emit({ type: 'relay_to_staff', text });
  },
});
