// Graceful shutdown on SIGTERM/SIGINT, in phases, within a bounded time:
//   intake       stop taking updates (Telegram polling or webhook, WhatsApp messages, the HTTP server)
//   drain        wait for the updates in flight (the runtime's drain(), replies being sent)
//   services     close BullMQ workers (they finish their active job) and queues, destroy the WhatsApp client
//   connections  close Redis connections
//   storage      stop the private redis-server (it writes its AOF and exits)
// Steps of one phase run together; phases run in order. A step that fails is logged and the next ones still run.
// If the first three phases are not done when the budget is nearly spent, the rest (closing Redis, stopping the
// private redis-server) runs anyway, then the process exits: 0 when every step finished, 1 otherwise.
// A second signal during the shutdown exits at once (1).
import type { Logger } from '../infra/logger.ts';

export type ShutdownPhase = 'intake' | 'drain' | 'services' | 'connections' | 'storage';

const PHASES: readonly ShutdownPhase[] = ['intake', 'drain', 'services', 'connections', 'storage'];
/** Kept for closing Redis and stopping the private redis-server when the earlier phases run late. */
const RESERVED_FOR_STORAGE_MS = 2_000;

export type ShutdownOptions = {
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** The whole shutdown takes at most this long (default 10 s). */
  timeoutMs?: number;
  /** Defaults to process.exit. */
  exit?: (code: number) => void;
};

type Step = { phase: ShutdownPhase; name: string; run: () => Promise<unknown> | unknown };

export class GracefulShutdown {
  private readonly steps: Step[] = [];
  private running: Promise<number> | null = null;
  private readonly timeoutMs: number;
  private readonly exit: (code: number) => void;

  constructor(private readonly options: ShutdownOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  /** Registers a step; `name` appears in the logs (no personal data). */
  add(phase: ShutdownPhase, name: string, run: () => Promise<unknown> | unknown): this {
    this.steps.push({ phase, name, run });
    return this;
  }

  /** True once a shutdown has begun (e.g. a health endpoint answers 503 from then on). */
  get stopping(): boolean {
    return this.running !== null;
  }

  /** Shuts down on the first of these signals; a second one exits at once. */
  listen(signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): this {
    for (const signal of signals) {
      process.on(signal, () => {
        if (this.running) {
          this.options.logger.warn({ signal }, 'second signal during shutdown: exiting now');
          this.exit(1);
          return;
        }
        void this.shutdown(signal);
      });
    }
    return this;
  }

  /** Runs every phase, then exits with 0 (all steps finished) or 1 (or 1 when `failed`). Resolves with that code. */
  shutdown(reason: string, options: { failed?: boolean } = {}): Promise<number> {
    this.running ??= this.run(reason).then((clean) => {
      // A shutdown because the start failed exits 1 even when every step went well.
      const code = options.failed ? 1 : clean;
      this.exit(code);
      return code;
    });
    return this.running;
  }

  private async run(reason: string): Promise<number> {
    const { logger } = this.options;
    const started = Date.now();
    logger.info({ reason, timeoutMs: this.timeoutMs }, 'shutting down');
    let clean = true;
    for (const phase of PHASES) {
      const steps = this.steps.filter((s) => s.phase === phase);
      if (steps.length === 0) continue;
      const late = phase === 'connections' || phase === 'storage';
      const deadline = started + this.timeoutMs - (late ? 0 : RESERVED_FOR_STORAGE_MS);
      const unfinished = await runUntil(steps, deadline, (step, err) => {
        clean = false;
        logger.error(
          { phase, step: step.name, err: err instanceof Error ? err.message : String(err) },
          'shutdown step failed',
        );
      });
      if (unfinished.length > 0) {
        clean = false;
        logger.warn({ phase, steps: unfinished }, 'shutdown steps still running at the deadline; going on');
      } else {
        logger.info({ phase, ms: Date.now() - started }, 'shutdown phase done');
      }
    }
    logger.info({ clean, ms: Date.now() - started }, 'stopped');
    return clean ? 0 : 1;
  }
}

/** Runs the steps together; resolves when all are settled or at the deadline, with the names still running. */
async function runUntil(
  steps: Step[],
  deadline: number,
  onError: (step: Step, err: unknown) => void,
): Promise<string[]> {
  const pending = new Set(steps);
  const all = Promise.all(
    steps.map(async (step) => {
      try {
        await step.run();
      } catch (err) {
        onError(step, err);
      } finally {
        pending.delete(step);
      }
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  await Promise.race([all, timeout]);
  clearTimeout(timer);
  return [...pending].map((s) => s.name);
}
