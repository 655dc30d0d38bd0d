// Chat state in this process's memory (the terminal chat, tests). Same contract as the Redis one, except that
// nothing outlives the process. Instances built on one `MemoryChatData` behave like processes sharing one store.
import type { Session } from '../engine/types.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { ChatCommit, ChatSnapshot, ChatState, ChatTurn } from '../ports/chat-state.ts';
import { LocalChatQueue } from './local-chat-queue.ts';

type Held = { session: Session | null; rev: number; journal: string | null; pending: boolean; at: number };

export class MemoryChatData {
  readonly queue = new LocalChatQueue();
  readonly chats = new Map<string, Held>();
}

export class MemoryChatState implements ChatState {
  constructor(private readonly data: MemoryChatData = new MemoryChatData()) {}

  // No `alongside` read here: the work reads for itself (its turn has no `alongside`).
  transact<T, A = unknown>(chat: ChatRef, work: (turn: ChatTurn<A>) => Promise<T>): Promise<T> {
    return this.data.queue.withLock(chat, () => work(new MemoryTurn(this.data.chats, chatKey(chat))));
  }

  async pendingJournals(olderThanMs: number, limit: number): Promise<string[]> {
    const until = Date.now() - olderThanMs;
    return [...this.data.chats.values()]
      .filter((h) => h.pending && h.journal !== null && h.at <= until)
      .sort((a, b) => a.at - b.at)
      .slice(0, limit)
      .map((h) => h.journal ?? '');
  }
}

class MemoryTurn implements ChatTurn {
  snapshot: ChatSnapshot;
  private over = false;

  constructor(
    private readonly chats: Map<string, Held>,
    private readonly key: string,
  ) {
    this.snapshot = this.read();
  }

  async commit(change: ChatCommit): Promise<boolean> {
    this.assertOpen();
    const current = this.chats.get(this.key);
    if ((current?.rev ?? 0) !== this.snapshot.rev) return false;
    const rev = (current?.rev ?? 0) + 1;
    const journal = change.journal ?? null;
    const held = { rev, journal, pending: journal !== null, at: Date.now() };
    if (change.session) {
      this.chats.set(this.key, { session: structuredClone(change.session), ...held });
    } else if (journal !== null) {
      // An erased session whose effects are still to be carried out: the revision lives on with the journal.
      this.chats.set(this.key, { session: null, ...held });
    } else {
      this.chats.delete(this.key);
    }
    this.snapshot = this.read();
    if (change.release) this.over = true;
    return true;
  }

  async reload(): Promise<ChatSnapshot> {
    this.assertOpen();
    this.snapshot = this.read();
    return this.snapshot;
  }

  async finish(options?: { release?: boolean; keep?: string }): Promise<void> {
    this.assertOpen();
    const current = this.chats.get(this.key);
    if (current) {
      current.pending = false;
      if (options?.keep !== undefined) current.journal = options.keep;
      else if (current.session) current.journal = null;
      else this.chats.delete(this.key);
    }
    this.snapshot = this.read();
    if (options?.release) this.over = true;
  }

  private read(): ChatSnapshot {
    const held = this.chats.get(this.key);
    return {
      session: held?.session ? structuredClone(held.session) : null,
      rev: held?.rev ?? 0,
      journal: held?.journal ?? null,
    };
  }

  private assertOpen(): void {
    if (this.over) throw new Error('chat turn already released');
  }
}
