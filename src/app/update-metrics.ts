// The runtime's per-input observation as Prometheus metrics (updates, replies, latency per channel). The labelled
// children are looked up once per channel, not on every update (prom-client hashes the labels on each call).
import type { Metrics } from '../infra/metrics.ts';
import type { ChannelName, ChatRef } from '../ports/chat.ts';

type Bound = {
  updates: { inc(value?: number): void };
  replies: { inc(value?: number): void };
  latency: { observe(value: number): void };
};

/** The runtime's two observations (RuntimeDeps `observe` and `observeSent`), bound to the same counters. */
export type UpdateObservers = {
  observe(chat: ChatRef, replies: number, seconds: number): void;
  observeSent(chat: ChatRef, messages: number): void;
};

/**
 * Updates, latency, and replies: those returned to the channel (`observe`) and those the runtime sent itself through
 * the outbox (a journaled turn's reply, the recovery sweep's: `observeSent`), so each message is counted once,
 * whichever path sent it.
 */
export function observeUpdates(metrics: Metrics): UpdateObservers {
  const bound = new Map<ChannelName, Bound>();
  const bind = (channel: ChannelName): Bound => {
    const made: Bound = {
      updates: metrics.updates.labels({ channel }),
      replies: metrics.replies.labels({ channel, kind: 'reply' }),
      latency: metrics.latency.labels({ channel }),
    };
    bound.set(channel, made);
    return made;
  };
  return {
    observe(chat, replies, seconds) {
      const m = bound.get(chat.channel) ?? bind(chat.channel);
      m.updates.inc();
      if (replies > 0) m.replies.inc(replies);
      m.latency.observe(seconds);
    },
    observeSent(chat, messages) {
      if (messages > 0) (bound.get(chat.channel) ?? bind(chat.channel)).replies.inc(messages);
    },
  };
}
