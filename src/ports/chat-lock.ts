import type { ChatRef } from './chat.ts';

/** Runs work for one chat at a time, across processes. */
export interface ChatLock {
  withLock<T>(chat: ChatRef, work: () => Promise<T>): Promise<T>;
}
