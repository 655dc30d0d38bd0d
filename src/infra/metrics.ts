// Prometheus metrics (prom-client), served at /metrics by the staff console's HTTP server. Channels and the runtime
// increment them; labels carry channel and queue names only, never anything about a person.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** src/channels/whatsapp/states.ts's WhatsAppConnectionState (kept in step by a test there). */
export const WHATSAPP_STATES = [
  'starting',
  'qr',
  'ready',
  'degraded',
  'reconnecting',
  'waiting',
  'blocked',
  'disconnected',
] as const;

export type QueueCounts = () => Promise<Record<string, number>>;

export type Metrics = {
  registry: Registry;
  /** Updates received from people, per channel. */
  updates: Counter<'channel'>;
  /** Messages sent to people, per channel and kind (reply, alert, relay). */
  replies: Counter<'channel' | 'kind'>;
  /** Seconds from an update's arrival to its replies being handed to the platform. */
  latency: Histogram<'channel'>;
  /** Jobs per BullMQ queue and state (waiting, active, delayed, failed...), read at scrape time. */
  queueDepth: Gauge<'queue' | 'state'>;
  /** 429 Too Many Requests answered by a platform. */
  rateLimited: Counter<'channel'>;
  /** 1 for the WhatsApp connection's current state, 0 for the others. */
  whatsappState: Gauge<'state'>;
  setWhatsAppState(state: string): void;
  /** Adds a queue whose job counts `queueDepth` reports (e.g. `() => queue.getJobCounts()`). */
  watchQueue(name: string, counts: QueueCounts): void;
};

export function createMetrics(options: { registry?: Registry; processMetrics?: boolean } = {}): Metrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'kunnafoni_' });
  const watched = new Map<string, QueueCounts>();

  const updates = new Counter({
    name: 'kunnafoni_updates_total',
    help: 'Updates received from people',
    labelNames: ['channel'] as const,
    registers: [registry],
  });
  const replies = new Counter({
    name: 'kunnafoni_replies_total',
    help: 'Messages sent to people',
    labelNames: ['channel', 'kind'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'kunnafoni_update_latency_seconds',
    help: 'Time from an update arriving to its replies being handed to the platform',
    labelNames: ['channel'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: 'kunnafoni_queue_jobs',
    help: 'Jobs per BullMQ queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [queue, counts] of watched) {
        try {
          for (const [state, n] of Object.entries(await counts())) this.set({ queue, state }, n);
        } catch {
          // Redis unreachable: the queue is left out of this scrape rather than failing it.
        }
      }
    },
  });
  const rateLimited = new Counter({
    name: 'kunnafoni_rate_limited_total',
    help: '429 answers from a platform',
    labelNames: ['channel'] as const,
    registers: [registry],
  });
  const whatsappState = new Gauge({
    name: 'kunnafoni_whatsapp_state',
    help: 'WhatsApp connection state (1 for the current state)',
    labelNames: ['state'] as const,
    registers: [registry],
  });

  return {
    registry,
    updates,
    replies,
    latency,
    queueDepth,
    rateLimited,
    whatsappState,
    setWhatsAppState(state) {
      for (const s of new Set<string>([...WHATSAPP_STATES, state]))
        whatsappState.set({ state: s }, s === state ? 1 : 0);
    },
    watchQueue(name, counts) {
      watched.set(name, counts);
    },
  };
}
