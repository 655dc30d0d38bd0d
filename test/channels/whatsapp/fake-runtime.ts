// A small stand-in for the runtime (src/runtime/runtime.ts) until a test app with the real flows is available:
// a welcome, a three-item menu recognised by number, emoji digit or word, one long answer, contacts as text,
// a voice-note answer and a polite reply to media. It records every input it was given.
import type { Input } from '../../../src/engine/types.ts';
import type { ChatRef } from '../../../src/ports/chat.ts';
import type { OutMessage } from '../../../src/ports/out-message.ts';
import type { InputMeta } from '../../../src/runtime/runtime.ts';
import { outAudio } from '../../audio/support.ts';

export const MENU: OutMessage = {
  title: 'Menu',
  paragraphs: ['Que veux-tu savoir ?'],
  choices: [
    { id: 'rights', label: 'Mes droits' },
    { id: 'contacts', label: 'Contacts' },
    { id: 'person', label: 'Parler à une personne' },
  ],
  version: 1,
  hint: 'Réponds 1, 2 ou 3',
};

/** Eight paragraphs of about 300 characters: about 2,500 characters in all. */
export const LONG_ANSWER: string[] = Array.from(
  { length: 8 },
  (_, i) =>
    `Paragraphe ${i + 1}. ` +
    'Si tu es arrêté à l’étranger, tu as le droit de demander à parler au consulat du Mali. '.repeat(3) +
    `Fin ${i + 1}.`,
);

export const CONTACT_TEXT =
  'AME — Association Malienne des Expulsés\nTéléphone : +223 20 22 00 00\nBamako, Djélibougou';

export type HandledCall = { chat: ChatRef; input: Input; meta?: InputMeta };

export class FakeRuntime {
  readonly calls: HandledCall[] = [];
  private readonly known = new Set<string>();
  /** Called before answering; tests use it to slow an answer down. */
  beforeAnswer: (call: HandledCall) => Promise<void> = async () => {};
  /** A local audio file returned for the word "audio". */
  audioPath = '';

  async handle(chat: ChatRef, input: Input, meta?: HandledCall['meta']): Promise<OutMessage[]> {
    const call: HandledCall = { chat, input, ...(meta ? { meta } : {}) };
    this.calls.push(call);
    await this.beforeAnswer(call);
    const key = `${chat.channel}:${chat.id}`;
    if (!this.known.has(key)) {
      this.known.add(key);
      return [{ paragraphs: ['Bienvenue sur Kunnafoni. Je t’explique tes droits.'] }, MENU];
    }
    if (input.kind === 'media') {
      return [
        {
          paragraphs: [
            'Je ne peux pas encore écouter ou regarder ce message : réponds avec un numéro ou quelques mots.',
          ],
        },
        MENU,
      ];
    }
    if (input.kind !== 'text') return [MENU];
    const text = input.text.toLowerCase();
    if (text === '1' || text === '1️⃣' || text.includes('droit')) {
      return [{ title: 'Arrêté à l’étranger', paragraphs: LONG_ANSWER }, MENU];
    }
    if (text === '2' || text === '2️⃣' || text.includes('contact')) {
      return [{ title: 'Contacts', paragraphs: [CONTACT_TEXT] }, MENU];
    }
    if (text === 'audio') {
      return [
        {
          paragraphs: ['Voici la réponse en bambara.'],
          ...(this.audioPath ? { audio: [outAudio(this.audioPath)] } : {}),
        },
      ];
    }
    return [{ paragraphs: ['Je n’ai pas compris.'] }, MENU];
  }

  inputsFrom(chatId: string): Input[] {
    return this.calls.filter((c) => c.chat.id === chatId).map((c) => c.input);
  }
}
