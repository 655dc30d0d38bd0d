import { z } from 'zod';
import { defineAction, template } from './action.ts';

export const showContacts = defineAction({
  name: 'show_contacts',
  description: 'Shows the organisations for a region and a need; sets `contacts_found` to how many.',
  schema: z.object({ region: template, need: template }).strict(),
  run(value, ctx) {
    const ids = ctx.env.content.contactsFor(ctx.fill(value.region), ctx.fill(value.need));
    ctx.session.vars.contacts_found = String(ids.length);
    if (ids.length > 0) ctx.emit({ type: 'show_contacts', contactIds: ids });
  },
});
