// How an alert will look on each platform, per language. Telegram's preview is made by the Telegram channel's own
// renderer (HTML parse mode, every text escaped), from the same message the broadcast hands to the Telegram outbox
// (src/alerts/sender.ts: one message, paragraphs split at blank lines), so what staff see is what people get.
import { renderMessages } from '../channels/telegram/render.ts';
import type { OutMessage } from '../ports/out-message.ts';
import { ALERT_LANGS } from './alert-form.ts';
import type { AlertDraft } from './services.ts';

export type AlertPreview = {
  lang: (typeof ALERT_LANGS)[number];
  /** True when this language has no text of its own and gets the French one. */
  fallback: boolean;
  /** Telegram HTML of each message sent. */
  telegramHtml: string[];
};

/** The message an alert becomes for one language. */
export function alertMessage(draft: AlertDraft, lang: (typeof ALERT_LANGS)[number]): OutMessage {
  const text = draft.text[lang] ?? draft.text.fr;
  return { paragraphs: text.split(/\n\s*\n/) };
}

export function previewAlert(draft: AlertDraft): AlertPreview[] {
  return ALERT_LANGS.map((lang) => {
    const plan = renderMessages([alertMessage(draft, lang)]);
    const telegramHtml = plan.calls.flatMap((call) => (call.method === 'sendMessage' ? [call.html] : []));
    return { lang, fallback: !draft.text[lang], telegramHtml };
  });
}
