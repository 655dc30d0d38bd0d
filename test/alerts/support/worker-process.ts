// Starts worker-child.ts in a separate Node process.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

export type AlertWorkerEnv = {
  KF_REDIS_URL: string;
  KF_PREFIX: string;
  KF_TOKEN: string;
  KF_API_ROOT: string;
  KF_RATE?: string;
  KF_CONCURRENCY?: string;
  KF_LOCK_MS?: string;
  KF_STALLED_MS?: string;
  KF_RECORD?: '1';
};

export class AlertWorkerProcess {
  private readonly exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (process.env.KF_DEBUG_CHILD) process.stderr.write(chunk);
    });
  }

  static async start(env: AlertWorkerEnv): Promise<AlertWorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new AlertWorkerProcess(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('alert worker did not start')), 20_000);
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('ready\n')) {
          clearTimeout(timer);
          resolve();
        }
      });
      worker.exited.then(() => {
        clearTimeout(timer);
        reject(new Error('alert worker exited before it was ready'));
      });
    });
    return worker;
  }

  /** SIGKILL at once (no cleanup, locks left behind, like a crash or an OOM kill); resolves when it is gone. */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  async gone(): Promise<void> {
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
