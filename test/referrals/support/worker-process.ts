// Starts worker-child.ts in a separate Node process and reads what it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

export type WorkerChildEnv = {
  KF_REDIS_URL: string;
  KF_PREFIX: string;
  KF_SECRET: string;
  KF_DATA_PASSPHRASE: string;
  KF_HANG_FIRST?: '1';
  KF_LOCK_MS?: string;
  KF_STALLED_MS?: string;
  KF_CONCURRENCY?: string;
  KF_ANNOUNCE_LEASE_MS?: string;
};

export class WorkerProcess {
  private lines: string[] = [];
  private waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  private exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    let buffer = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
        this.onLine(buffer.slice(0, at));
        buffer = buffer.slice(at + 1);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (process.env.KF_DEBUG_CHILD) process.stderr.write(chunk);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static async start(env: WorkerChildEnv): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child);
    await worker.waitFor(/^ready$/, 20_000);
    return worker;
  }

  private onLine(line: string): void {
    this.lines.push(line);
    for (const w of [...this.waiters]) {
      if (w.pattern.test(line)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  }

  /** The first line (already printed or to come) matching the pattern. */
  waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const seen = this.lines.find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not print ${pattern} in time`)), timeoutMs);
      this.waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`worker exited before printing ${pattern}`));
      });
    });
  }

  /** SIGKILL: no cleanup, no lock release, like a crash or an OOM kill. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
