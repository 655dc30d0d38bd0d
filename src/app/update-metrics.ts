// The runtime's per-input observation as Prometheus metrics (updates, replies, latency per channel). The labelled
// children are looked up once per channel, not on every update (prom-client hashes the labels on each call).
import type { Metrics } from '../infra/metrics.ts';
import type { ChannelName, ChatRef } from '../ports/chat.ts';

type Bound = {
  updates: { inc(value?: number): void };
  replies: { inc(value?: number): void };
  latency: { observe(value: number): void };
};

export function observeUpdates(metrics: Metrics): (chat: ChatRef, replies: number, seconds: number) => void {
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
  return (chat, replies, seconds) => {
    const m = bound.get(chat.channel) ?? bind(chat.channel);
    m.updates.inc();
    if (replies > 0) m.replies.inc(replies);
    m.latency.observe(seconds);
  };
}
