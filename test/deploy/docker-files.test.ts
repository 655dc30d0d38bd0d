// The Dockerfile and docker-compose.yml cannot be built here (no Docker engine in CI), so what they name is checked
// against the repository: files they copy exist and are not ignored, variables they set are the bot's, images and
// packages are pinned, the Node version is the one CI tests, Redis is capped without eviction.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema } from '../../src/config.ts';
import { REPO_ROOT } from '../support/app.ts';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
/** Dockerfile instructions with their continuation lines joined, comments left out. */
const instructions = read('Dockerfile')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
const compose = parse(read('docker-compose.yml')) as {
  services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string> }>;
};
const configNames = new Set(Object.keys(ConfigSchema.shape));

describe('Dockerfile', () => {
  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
    expect(copies.length).toBeGreaterThan(5);
    for (const line of copies) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) {
        expect(existsSync(path.join(REPO_ROOT, source)), `${source} (${line})`).toBe(true);
        expect(ignored, source).not.toContain(source.replace(/^\.\//, '').replace(/\/$/, ''));
      }
    }
  });

  it('starts the command and serves the health check the code has', () => {
    expect(instructions).toContain('CMD ["node", "bin/kunnafoni.js", "start"]');
    expect(existsSync(path.join(REPO_ROOT, 'bin/kunnafoni.js'))).toBe(true);
    expect(read('src/cli/run.ts')).toMatch(/^\s+start: /m);
    expect(instructions.find((l) => l.startsWith('HEALTHCHECK'))).toContain("/healthz'");
    expect(read('src/staff/routes/ops-routes.ts')).toContain("'/healthz'");
  });

  it('sets only variables the bot reads', () => {
    const env = instructions.find((l) => l.startsWith('ENV '))!;
    const names = [...env.matchAll(/([A-Z_]+)=/g)].map((m) => m[1]!);
    expect(names).toEqual(expect.arrayContaining(['NODE_ENV', 'KUNNAFONI_DATA_DIR', 'HOST', 'PORT']));
    for (const name of names) expect(configNames, name).toContain(name);
  });

  it('pins the base image and every Debian package, on the Node major that CI tests and engines allow', () => {
    const image = /^ARG NODE_IMAGE=node:(\d+)\.\d+\.\d+-bookworm-slim$/m.exec(read('Dockerfile'));
    expect(image).not.toBeNull();
    const major = image![1];
    expect(read('.ci/run')).toContain(`NODE_MAJOR=${major}\n`);
    expect(JSON.parse(read('package.json')).engines.node).toBe(`^${major}`);
    const installs = instructions.filter((l) => l.includes('apt-get install'));
    expect(installs.length).toBeGreaterThan(0);
    for (const line of installs) {
      const packages = line
        .split('apt-get install')[1]!
        .split('&&')[0]!
        .split(/\s+/)
        .filter((w) => w && !w.startsWith('-'));
      expect(packages.length).toBeGreaterThan(0);
      for (const p of packages) expect(p, line).toMatch(/^[a-z0-9.+-]+="\$\{[A-Z_]+_VERSION\}"$/);
    }
  });
});

describe('docker-compose.yml', () => {
  it("overrides .env with what the image needs, using the bot's own variable names", () => {
    const env = compose.services.bot!.environment!;
    expect(env).toMatchObject({ NODE_ENV: 'production', KUNNAFONI_DATA_DIR: '/data', HOST: '0.0.0.0' });
    for (const name of Object.keys(env)) expect(configNames, name).toContain(name);
  });

  it('runs a pinned Redis with AOF, a memory cap and no eviction', () => {
    const redis = compose.services.redis!;
    expect(redis.image).toMatch(/^redis:\d+\.\d+\.\d+-bookworm$/);
    const args = redis.command!.join(' ');
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--maxmemory-policy noeviction');
    expect(args).toMatch(/--maxmemory \S+/);
  });

  it('lists every variable it interpolates in .env.example', () => {
    const used = [...read('docker-compose.yml').matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(read('.env.example')).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
  });
});
