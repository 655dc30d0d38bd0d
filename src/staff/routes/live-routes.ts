// GET /events: the Server-Sent Events stream of the account's own partner (case numbers and event types only), and
// GET /static/console.js, the one script of the console, which listens to it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { streamSSE } from 'hono/streaming';
import type { StaffAccount } from '../accounts.ts';
import { requireLogin, SESSION_COOKIE } from '../auth.ts';
import type { ServerDeps, StaffEnv } from '../context.ts';
import type { LiveEvent } from '../live-events.ts';

const SCRIPT = readConsoleScript();
const HEARTBEAT_MS = 20_000;

/**
 * The console's script, found above this file: beside the sources (src/staff/assets/), or, when this runs from the
 * bundle in dist/, in the sources it was built from (the image ships them too).
 */
function readConsoleScript(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    for (const file of [
      path.join(dir, 'assets', 'console.js'),
      path.join(dir, 'src', 'staff', 'assets', 'console.js'),
    ]) {
      if (existsSync(file)) return readFileSync(file, 'utf8');
    }
    if (path.dirname(dir) === dir) throw new Error('src/staff/assets/console.js is missing');
  }
}

export function liveRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  app.get('/static/console.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'no-cache');
    return c.body(SCRIPT);
  });

  app.use('/events', requireLogin);
  app.get('/events', (c) => {
    const account = c.get('account') as StaffAccount;
    const sessionId = getCookie(c, SESSION_COOKIE);
    return streamSSE(c, async (stream) => {
      const queue: LiveEvent[] = [];
      let wake: (() => void) | null = null;
      const stop = await deps.live.listen(account.partner, (event) => {
        queue.push(event);
        wake?.();
      });
      stream.onAbort(() => wake?.());
      try {
        await stream.writeSSE({ event: 'ready', data: '{}' });
        while (!stream.aborted && !stream.closed) {
          const event = queue.shift();
          if (event) {
            await stream.writeSSE({ event: 'case', data: JSON.stringify(event) });
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, HEARTBEAT_MS).unref();
          });
          wake = null;
          if (queue.length > 0) continue;
          // A session ended meanwhile (logout, disabled, reset) ends the stream too.
          const session = await deps.sessions.load(sessionId, deps.clock.now(), { renew: false });
          const current = session ? await deps.accounts.get(session.account) : null;
          if (!session || !current || current.disabled || current.generation !== session.generation) break;
          await stream.write(': keep-alive\n\n');
        }
      } finally {
        await stop();
      }
    });
  });
}
