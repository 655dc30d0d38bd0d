// A ChatState seen as the runtime's older pair of ports (`ChatLock` + `SessionStore`), until the runtime takes
// turns itself: `withLock` opens a turn, and `load`/`save`/`erase` under it go through that turn (the first `load`
// is the snapshot read with the lock, later ones re-read). Correct because a ChatState runs one turn per chat at a
// time in this process; outside a turn each call opens a turn of its own.
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';
import type { ChatState, ChatTurn } from '../ports/chat-state.ts';
import type { SessionStore, StoredSession } from '../ports/session-store.ts';

export function lockAndStoreOf(state: ChatState): { lock: ChatLock; store: SessionStore } {
  const open = new Map<string, { turn: ChatTurn; fresh: boolean }>();
  const inTurn = <T>(chat: ChatRef, work: (turn: ChatTurn) => Promise<T>): Promise<T> => {
    const current = open.get(chatKey(chat));
    return current ? work(current.turn) : state.transact(chat, work);
  };
  const lock: ChatLock = {
    withLock: (chat, work) =>
      state.transact(chat, async (turn) => {
        const key = chatKey(chat);
        open.set(key, { turn, fresh: true });
        try {
          return await work();
        } finally {
          open.delete(key);
        }
      }),
  };
  const store: SessionStore = {
    async load(chat): Promise<StoredSession | null> {
      const current = open.get(chatKey(chat));
      let snapshot = current?.turn.snapshot;
      if (!current) snapshot = await state.transact(chat, async (turn) => turn.snapshot);
      else if (!current.fresh) snapshot = await current.turn.reload();
      if (current) current.fresh = false;
      return snapshot?.session ? { session: snapshot.session, rev: snapshot.rev } : null;
    },
    save: (chat, session, rev) =>
      inTurn(chat, async (turn) => turn.snapshot.rev === rev && (await turn.commit({ session }))),
    erase: (chat) =>
      inTurn(chat, async (turn) => {
        while (!(await turn.commit({ session: null }))) await turn.reload();
      }),
  };
  return { lock, store };
}
