// HeldSpool on local disk: `<data dir>/held/<random name>`, one file per person whose answers are kept while Redis
// is down, sealed with the personal-data cipher: at rest nothing in it is readable, and
// its name says nothing about the person. Written synchronously (temporary file, then rename) before the person is
// told the answer is kept; removed once the answers are handled, erased with the person ("EFFACER"), and deleted
// unread past the retention when a restarted process takes the files over.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HeldSpool, SpooledPerson } from '../ports/held-spool.ts';
import type { PersonalDataCipher } from './crypto.ts';
import type { Logger } from './logger.ts';

const NAME = /^[A-Za-z0-9_-]{22}$/;
/** What the cipher binds the files to (not their names: a restarted process renames the files it takes). */
const CONTEXT = 'held-inputs';

export class DiskHeldSpool implements HeldSpool {
  constructor(
    private readonly dir: string,
    private readonly cipher: PersonalDataCipher,
    private readonly logger: Logger,
  ) {}

  write(name: string, person: SpooledPerson): boolean {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const temp = `${this.file(name)}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(temp, this.cipher.seal(JSON.stringify(person), CONTEXT), { mode: 0o600 });
      renameSync(temp, this.file(name));
      return true;
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.name : 'Error' }, 'kept answer not written to disk');
      return false;
    }
  }

  remove(name: string): boolean {
    try {
      rmSync(this.file(name));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      this.logger.warn({ err: err instanceof Error ? err.name : 'Error' }, 'kept answer not removed from disk');
      return true;
    }
  }

  async restore(maxAgeMs: number): Promise<{ name: string; person: SpooledPerson }[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: { name: string; person: SpooledPerson }[] = [];
    for (const found of names) {
      const at = this.file(found);
      // Left by a write cut short (the rename never happened): nothing was promised from it.
      if (found.endsWith('.tmp')) {
        if (
          Date.now() -
            (await stat(at).then(
              (s) => s.mtimeMs,
              () => 0,
            )) >
          60_000
        )
          await rm(at, { force: true });
        continue;
      }
      if (!NAME.test(found)) continue;
      const name = randomBytes(16).toString('base64url');
      // Taken by this process, or already by another one (nothing to do).
      if (
        !(await rename(at, this.file(name)).then(
          () => true,
          () => false,
        ))
      )
        continue;
      try {
        const sealed = await readFile(this.file(name), 'utf8');
        const person = JSON.parse(this.cipher.open(sealed, CONTEXT)) as SpooledPerson;
        const fresh = person.inputs.filter((i) => Date.now() - i.at <= maxAgeMs);
        if (fresh.length === 0) throw new Error('past the retention');
        out.push({ name, person: { chat: person.chat, inputs: fresh } });
      } catch {
        // Past the retention, or unreadable (the data key rotated away): deleted unread.
        await rm(this.file(name), { force: true });
      }
    }
    return out;
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }
}
