// Sessions in memory, for the terminal chat when no Redis is wanted. Same contract as the Redis store.
import type { Session } from '../engine/types.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { SessionStore, StoredSession } from '../ports/session-store.ts';

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, StoredSession>();

  async load(chat: ChatRef): Promise<StoredSession | null> {
    const stored = this.sessions.get(chatKey(chat));
    return stored ? structuredClone(stored) : null;
  }

  async save(chat: ChatRef, session: Session, rev: number): Promise<boolean> {
    const current = this.sessions.get(chatKey(chat))?.rev ?? 0;
    if (current !== rev) return false;
    this.sessions.set(chatKey(chat), { session: structuredClone(session), rev: rev + 1 });
    return true;
  }

  async erase(chat: ChatRef): Promise<void> {
    this.sessions.delete(chatKey(chat));
  }
}
