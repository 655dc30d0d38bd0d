// `kunnafoni staff add|list|reset` against the real Redis, under a private key prefix.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { staffCommand } from '../../src/cli/staff.ts';
import { AccountStore } from '../../src/staff/accounts.ts';
import { REPO_ROOT } from '../support/app.ts';
import { TEST_REDIS_URL, type TestRedis, testRedis } from '../support/redis.ts';

let r: TestRedis;
beforeEach(async () => {
  r = await testRedis();
});
afterEach(async () => {
  await r.cleanup();
});

async function run(argv: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await staffCommand(argv, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    cwd: REPO_ROOT,
    env: { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: r.prefix, ...env },
  });
  return { code, out, err };
}

test('staff add creates the account and prints a one-time set-up link on HOST:PORT', async () => {
  const { code, out } = await run(['add', '--partner', 'ame', '--name', 'Awa Traoré', '--role', 'admin'], {
    PORT: '8080',
  });
  expect(code).toBe(0);
  expect(out).toContain('Account created: awa-traore (admin, partner ame)');
  const token = /http:\/\/127\.0\.0\.1:8080\/setup\/([A-Za-z0-9_-]+)\n/.exec(out)?.[1];
  expect(token).toBeDefined();
  const accounts = new AccountStore(r.redis, r.keys);
  const account = await accounts.setupAccount(token!);
  expect(account).toMatchObject({ id: 'awa-traore', name: 'Awa Traoré', partner: 'ame', role: 'admin' });
  expect(account?.passwordHash).toBeUndefined();
  // Valid 24 hours.
  const ttl = await r.redis.ttl((await r.redis.keys(`${r.keys.root}:staff:setup:*`))[0]!);
  expect(ttl).toBeGreaterThan(86_300);
  expect(ttl).toBeLessThanOrEqual(86_400);
});

test('a second person with the same name gets another login name', async () => {
  await run(['add', '--partner', 'ame', '--name', 'Awa Traoré', '--role', 'staff']);
  const { out } = await run(['add', '--partner', 'aracem', '--name', 'Awa Traore', '--role', 'staff']);
  expect(out).toContain('Account created: awa-traore-2 (staff, partner aracem)');
  const list = await run(['list']);
  expect(list.out).toBe(
    'awa-traore\tstaff\tame\twaiting for set-up\nawa-traore-2\tstaff\taracem\twaiting for set-up\n',
  );
});

test('a wildcard HOST is shown as localhost in the link', async () => {
  const { out } = await run(['add', '--partner', 'ame', '--name', 'Binta', '--role', 'staff'], { HOST: '0.0.0.0' });
  expect(out).toMatch(/http:\/\/localhost:3000\/setup\//);
});

test('an unknown partner, a bad role or a missing name is refused and creates nothing', async () => {
  const partner = await run(['add', '--partner', 'nobody', '--name', 'Awa', '--role', 'staff']);
  expect(partner.code).toBe(1);
  expect(partner.err).toContain('unknown partner "nobody"');
  expect(partner.err).toContain('ame');
  const role = await run(['add', '--partner', 'ame', '--name', 'Awa', '--role', 'boss']);
  expect(role.code).toBe(2);
  expect(role.err).toContain('--role must be staff or admin');
  const name = await run(['add', '--partner', 'ame', '--role', 'staff']);
  expect(name.code).toBe(2);
  expect((await run(['list'])).out).toBe('');
});

test('staff reset gives a new link; the old one stops working once the new password is set', async () => {
  await run(['add', '--partner', 'ame', '--name', 'Awa', '--role', 'staff']);
  const { code, out } = await run(['reset', 'awa']);
  expect(code).toBe(0);
  const token = /\/setup\/([A-Za-z0-9_-]+)/.exec(out)![1]!;
  const accounts = new AccountStore(r.redis, r.keys);
  expect((await accounts.setupAccount(token))?.id).toBe('awa');
  expect(await accounts.consumeSetupToken(token)).toBe('awa');
  expect(await accounts.consumeSetupToken(token)).toBeNull();
  expect((await run(['reset', 'nobody'])).code).toBe(1);
});

test('staff disable, enable, role and remove change the account; list shows a disabled one', async () => {
  await run(['add', '--partner', 'ame', '--name', 'Awa Traoré', '--role', 'staff']);
  const disabled = await run(['disable', 'awa-traore']);
  expect(disabled).toMatchObject({
    code: 0,
    out: 'awa-traore is disabled: it cannot log in, and its sessions are ended.\n',
  });
  expect((await run(['list'])).out).toBe('awa-traore\tstaff\tame\tdisabled\n');
  expect((await run(['enable', 'awa-traore'])).code).toBe(0);
  expect((await run(['list'])).out).toBe('awa-traore\tstaff\tame\twaiting for set-up\n');
  expect((await run(['role', 'awa-traore', 'admin'])).out).toBe('awa-traore is now admin; its sessions are ended.\n');
  expect((await run(['role', 'awa-traore', 'boss'])).code).toBe(2);
  expect((await run(['remove', 'awa-traore'])).code).toBe(0);
  expect((await run(['list'])).out).toBe('');
  expect((await run(['disable', 'nobody'])).code).toBe(1);
  const unknown = await run(['list', '--everything']);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('unknown option --everything');
});
