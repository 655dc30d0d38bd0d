// A fingerprint of the TypeScript sources (paths, sizes, modification times): cheap enough to check at every start
// (a few milliseconds), and different as soon as any source file is added, removed or saved.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function sourceStamp(root) {
  const hash = createHash('sha1');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const s = statSync(full);
        hash.update(`${path.relative(root, full)}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(path.join(root, 'src'));
  return hash.digest('hex');
}
