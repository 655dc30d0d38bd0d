// One chat's work one at a time within this process, in arrival order (a promise chain per chat). Chats with
// nothing waiting hold no memory.
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';

export class LocalChatQueue implements ChatLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  withLock<T>(chat: ChatRef, work: () => Promise<T>): Promise<T> {
    const key = chatKey(chat);
    const previous = this.tails.get(key);
    // Nothing waiting for this chat (the usual case): nothing to wait on, the work starts at the next microtask.
    const run = previous === undefined ? Promise.resolve().then(work) : previous.then(work, work);
    const forget = () => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    // Settles once the work has, whichever way; the chat's next work waits for it.
    const tail: Promise<unknown> = run.then(forget, forget);
    this.tails.set(key, tail);
    return run;
  }
}
