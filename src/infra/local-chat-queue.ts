// One chat's work one at a time within this process, in arrival order (a promise chain per chat). Chats with
// nothing waiting hold no memory.
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';

export class LocalChatQueue implements ChatLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  withLock<T>(chat: ChatRef, work: () => Promise<T>): Promise<T> {
    const key = chatKey(chat);
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }
}
