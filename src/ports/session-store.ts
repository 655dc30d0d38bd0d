import type { Session } from '../engine/types.ts';
import type { ChatRef } from './chat.ts';
import type { StoredSession } from './chat-state.ts';

export type { StoredSession };

/** Sessions without a lock (the runtime's older pairing of `ChatLock` + `SessionStore`; see chat-state.ts). */
export interface SessionStore {
  /** The session and its revision, or null when none (new person, or expired). */
  load(chat: ChatRef): Promise<StoredSession | null>;
  /** Saves if the stored revision is still `rev` (0 for a new session); false on conflict. */
  save(chat: ChatRef, session: Session, rev: number): Promise<boolean>;
  erase(chat: ChatRef): Promise<void>;
}
