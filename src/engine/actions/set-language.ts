import { isLang } from '../types.ts';
import { defineAction, template } from './action.ts';

export const setLanguage = defineAction({
  name: 'set_language',
  description: 'Sets the language of the conversation (a language code, usually "{{lang}}").',
  schema: template,
  run(value, ctx) {
    const lang = ctx.fill(value);
    if (!isLang(lang)) return;
    ctx.session.lang = lang;
    ctx.emit({ type: 'set_language', lang });
  },
});
