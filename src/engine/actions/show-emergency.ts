import { z } from 'zod';
import { DISTRESS_CATEGORIES, type DistressCategory } from '../types.ts';
import { defineAction, template } from './action.ts';

/** Countries are ISO codes ("ML"); anything else ("elsewhere", "") is an unknown place: no number is given. */
const ISO_COUNTRY = /^[A-Z]{2}$/;

export const showEmergency = defineAction({
  name: 'show_emergency',
  description: 'Shows the emergency lines that work in `country` (ISO code), those for `category` first.',
  schema: z.object({ country: template, category: template.optional() }).strict(),
  run(value, ctx) {
    const country = ctx.fill(value.country);
    const category = value.category ? ctx.fill(value.category) : '';
    const known = (DISTRESS_CATEGORIES as readonly string[]).includes(category);
    const ids = ctx.env.content.emergencyContactsFor(
      ISO_COUNTRY.test(country) ? country : null,
      known ? (category as DistressCategory) : undefined,
    );
    ctx.emit({ type: 'show_emergency', contactIds: ids });
  },
});
