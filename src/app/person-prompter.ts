// Puts a question to a person from outside their conversation (a transfer staff proposed): the runtime steps their
// conversation with the notice, under the chat's lock like any input, and what it says goes out through the outbox.
// The session then waits at that question, so "oui", "1" or the button answers it like any other.
import { TELEGRAM_CAPABILITIES } from '../channels/telegram/adapter.ts';
import { WHATSAPP_CAPABILITIES } from '../channels/whatsapp/inbound.ts';
import type { ChannelName } from '../engine/types.ts';
import type { Outbox } from '../ports/outbox.ts';
import type { PersonPrompter } from '../ports/services.ts';
import { type ChannelCapabilities, TEXT_ONLY } from '../runtime/capabilities.ts';
import type { Runtime } from '../runtime/runtime.ts';

const CAPABILITIES = {
  telegram: TELEGRAM_CAPABILITIES,
  whatsapp: WHATSAPP_CAPABILITIES,
  console: TEXT_ONLY,
} satisfies { [K in ChannelName]: ChannelCapabilities };

/** `runtime` is read at each call: the runtime is built after the referral service that uses this. */
export function personPrompter(runtime: () => Runtime | undefined, outbox: Outbox): PersonPrompter {
  return {
    async prompt(chat, notice) {
      const r = runtime();
      if (!r) return false;
      const messages = await r.handle(chat, { kind: 'notice', notice }, { capabilities: CAPABILITIES[chat.channel] });
      // Nothing to ask (the proposal is gone) or nobody could step the conversation (Redis away): not asked.
      if (messages.length === 0) return false;
      await outbox.send(chat, messages);
      return true;
    },
  };
}
