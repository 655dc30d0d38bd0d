// A small stand-in for the runtime: a scripted conversation (language -> menu -> question -> answer) with question
// versions, so the channel can be tested before and independently of the real flows. Records every input.
import type { ConversationRuntime } from '../../../src/channels/telegram/adapter.ts';
import type { Input } from '../../../src/engine/types.ts';
import type { ChatRef } from '../../../src/ports/chat.ts';
import type { OutMessage } from '../../../src/ports/out-message.ts';
import { outAudio } from '../../audio/support.ts';

type Step = 'language' | 'menu' | 'questions';
type ChatState = { step: Step; version: number };

export const LONG_CHOICE_ID = `faq:${'what-happens-to-my-savings-and-my-papers-when-i-am-expelled-'.repeat(2)}`;

export const FAQ_ANSWER: OutMessage = {
  title: 'Renouveler un passeport',
  paragraphs: ['Va au consulat avec ton ancien passeport.', 'Le délai est de 2 semaines.'],
};

export class FakeRuntime implements ConversationRuntime {
  readonly inputs: { chat: ChatRef; input: Input; platformLang?: string }[] = [];
  private readonly chats = new Map<string, ChatState>();
  /** Called before answering (to slow down or fail an input on purpose). */
  before?: (chat: ChatRef, input: Input) => Promise<void>;

  async handle(chat: ChatRef, input: Input, meta?: { platformLang?: string }): Promise<OutMessage[]> {
    this.inputs.push(meta?.platformLang ? { chat, input, platformLang: meta.platformLang } : { chat, input });
    await this.before?.(chat, input);
    const state = this.chats.get(chat.id) ?? { step: 'language', version: 0 };
    this.chats.set(chat.id, state);
    switch (input.kind) {
      case 'start':
        if (input.payload === 'faq-passport') return [FAQ_ANSWER, this.ask(state, 'menu')];
        return [{ title: 'Kunnafoni', paragraphs: ['Bienvenue.'] }, this.ask(state, 'language')];
      case 'choice':
        if (input.version !== state.version) {
          return [{ paragraphs: ['Ce bouton est ancien : voici la question en cours.'] }, this.ask(state, state.step)];
        }
        return this.choose(state, input.id);
      case 'text':
        if (input.text === 'long') return [longMessage()];
        if (input.text === 'voice please')
          return [{ paragraphs: ['Écoute :'], audio: [outAudio(this.audioPath ?? '')] }];
        return [{ paragraphs: [`Tu as écrit : ${input.text}`] }];
      case 'media':
        return [{ paragraphs: [`Je ne peux pas encore lire ce ${input.media} : réponds avec quelques mots.`] }];
      case 'notice':
        return [];
    }
  }

  /** Path of the audio file sent for "voice please". */
  audioPath?: string;

  private choose(state: ChatState, id: string): OutMessage[] {
    if (state.step === 'language') return [this.ask(state, 'menu')];
    if (state.step === 'menu' && id === 'topic:documents') return [this.ask(state, 'questions')];
    if (state.step === 'questions' && (id === 'faq:passport' || id === LONG_CHOICE_ID)) {
      return [FAQ_ANSWER, this.ask(state, 'menu')];
    }
    return [this.ask(state, state.step)];
  }

  private ask(state: ChatState, step: Step): OutMessage {
    state.step = step;
    state.version++;
    const version = state.version;
    switch (step) {
      case 'language':
        return {
          paragraphs: ['Choisis ta langue.'],
          choices: [
            { id: 'fr', label: 'Français' },
            { id: 'en', label: 'English' },
            { id: 'bm', label: 'Bamanankan' },
          ],
          version,
          hint: 'Réponds 1, 2 ou 3',
        };
      case 'menu':
        return {
          title: 'Menu',
          paragraphs: ['De quoi as-tu besoin ?'],
          choices: [
            { id: 'topic:documents', label: 'Documents et passeports' },
            { id: 'topic:expulsion', label: 'Expulsion et retour au pays' },
          ],
          version,
        };
      case 'questions':
        return {
          paragraphs: ['Quelle question ?'],
          choices: [
            { id: 'faq:passport', label: 'Comment renouveler mon passeport ?' },
            { id: LONG_CHOICE_ID, label: 'Mes économies et mes papiers' },
          ],
          version,
        };
    }
  }
}

/** 30 paragraphs of ~300 characters: about 9,000 characters in all. */
export function longMessage(): OutMessage {
  const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraphe ${i + 1}. ${'Droit des migrants. '.repeat(15)}`);
  return { title: 'Long', paragraphs, choices: [{ id: 'ok', label: 'OK' }], version: 1 };
}
