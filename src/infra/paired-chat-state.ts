// A ChatState over the older pair of ports (a `ChatLock` and a `SessionStore`), for tools and tests that build
// them separately. The effects journal lives in this process's memory only: it survives nothing. The bot itself
// uses RedisChatState (lock, session and journal in one store, two round trips a turn).
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';
import type { ChatCommit, ChatSnapshot, ChatState, ChatTurn } from '../ports/chat-state.ts';
import type { SessionStore } from '../ports/session-store.ts';

export function pairedChatState(lock: ChatLock, store: SessionStore): ChatState {
  const journals = new Map<string, string>();
  return {
    transact: (chat, work) =>
      lock.withLock(chat, async () => {
        const turn = new PairedTurn(chat, store, journals);
        await turn.reload();
        return work(turn);
      }),
  };
}

class PairedTurn implements ChatTurn {
  snapshot: ChatSnapshot = { session: null, rev: 0, journal: null };

  constructor(
    private readonly chat: ChatRef,
    private readonly store: SessionStore,
    private readonly journals: Map<string, string>,
  ) {}

  async commit(change: ChatCommit): Promise<boolean> {
    if (change.session) {
      if (!(await this.store.save(this.chat, change.session, this.snapshot.rev))) return false;
    } else {
      const current = await this.store.load(this.chat);
      if ((current?.rev ?? 0) !== this.snapshot.rev) return false;
      await this.store.erase(this.chat);
    }
    if (change.journal === undefined) this.journals.delete(chatKey(this.chat));
    else this.journals.set(chatKey(this.chat), change.journal);
    this.snapshot = {
      session: change.session ? structuredClone(change.session) : null,
      rev: change.session ? this.snapshot.rev + 1 : 0,
      journal: change.journal ?? null,
    };
    return true;
  }

  async reload(): Promise<ChatSnapshot> {
    const stored = await this.store.load(this.chat);
    this.snapshot = {
      session: stored?.session ?? null,
      rev: stored?.rev ?? 0,
      journal: this.journals.get(chatKey(this.chat)) ?? null,
    };
    return this.snapshot;
  }

  async finish(options?: { keep?: string }): Promise<void> {
    if (options?.keep === undefined) this.journals.delete(chatKey(this.chat));
    else this.journals.set(chatKey(this.chat), options.keep);
    this.snapshot = { ...this.snapshot, journal: options?.keep ?? null };
  }
}
