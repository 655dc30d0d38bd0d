import type { Session } from '../engine/types.ts';
import type { ChatRef } from './chat.ts';

export type StoredSession = { session: Session; rev: number };

export interface SessionStore {
  /** The session and its revision, or null when none (new person, or expired). */
  load(chat: ChatRef): Promise<StoredSession | null>;
  /** Saves if the stored revision is still `rev` (0 for a new session); false on conflict. */
  save(chat: ChatRef, session: Session, rev: number): Promise<boolean>;
  erase(chat: ChatRef): Promise<void>;
}
