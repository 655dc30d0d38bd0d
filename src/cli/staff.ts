// `kunnafoni staff add --partner ame --name NAME --role staff|admin`: creates a console account and prints a
// one-time link (valid 24 h) where the person sets their password. Also `staff list`, `staff reset LOGIN` (a new
// set-up link for a forgotten password), `staff disable|enable|remove LOGIN` and `staff role LOGIN staff|admin`.
// Disabling, resetting, removing and changing the role end the account's live console sessions at once.
import path from 'node:path';
import { connectBotRedis } from '../app/bot-redis.ts';
import { formatProblem } from '../common/source-problems.ts';
import { ConfigError, parseConfig } from '../config.ts';
import { loadContent } from '../content/load.ts';
import { RedisKeys } from '../infra/keys.ts';
import { systemClock } from '../ports/clock.ts';
import { AccountStore, ROLES, type Role } from '../staff/accounts.ts';
import { AuditLog } from '../staff/audit-log.ts';
import { SessionStore } from '../staff/sessions.ts';
import { parseArgs, stringOption } from './args.ts';
import type { CliIo } from './io.ts';

const USAGE = `Usage: kunnafoni staff add --partner PARTNER --name NAME --role staff|admin
       kunnafoni staff list
       kunnafoni staff reset LOGIN      (a new password set-up link; ends the account's sessions)
       kunnafoni staff disable LOGIN    (no login, sessions ended at once)
       kunnafoni staff enable LOGIN
       kunnafoni staff remove LOGIN
       kunnafoni staff role LOGIN staff|admin
`;

const SUBCOMMANDS = ['add', 'list', 'reset', 'disable', 'enable', 'remove', 'role'] as const;
type Sub = (typeof SUBCOMMANDS)[number];

/** The console's address for links: HOST:PORT, with a wildcard bind address shown as localhost. */
export function consoleBase(host: string, port: number): string {
  const shown =
    host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

export async function staffCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  const [sub, ...rest] = args.positionals;
  const fail = (message: string, code = 2) => {
    io.stderr.write(`staff: ${message}\n${code === 2 ? `\n${USAGE}` : ''}`);
    return code;
  };
  if (!(SUBCOMMANDS as readonly string[]).includes(sub ?? '')) {
    return fail(sub ? `unknown command "${sub}"` : 'no command');
  }
  const command = sub as Sub;
  for (const name of args.options.keys()) {
    const allowed = command === 'add' ? ['partner', 'name', 'role', 'root'] : ['root'];
    if (!allowed.includes(name)) return fail(`unknown option --${name}`);
  }

  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message, 1);
    throw err;
  }
  const root = path.resolve(io.cwd, stringOption(args, 'root') ?? config.KUNNAFONI_ROOT);

  let partner = '';
  let name = '';
  let role: Role = 'staff';
  if (command === 'add') {
    partner = stringOption(args, 'partner') ?? '';
    name = (stringOption(args, 'name') ?? '').trim();
    const roleOption = stringOption(args, 'role') ?? 'staff';
    if (!partner) return fail('--partner is required');
    if (!name) return fail('--name is required');
    if (name.length > 100) return fail('--name is too long');
    if (!(ROLES as readonly string[]).includes(roleOption)) return fail('--role must be staff or admin');
    role = roleOption as Role;
    const { content, problems } = await loadContent(root);
    if (!content) {
      for (const p of problems.filter((x) => x.severity === 'error')) io.stderr.write(`${formatProblem(p)}\n`);
      return fail('the content has errors (run `kunnafoni validate`)', 1);
    }
    const partners = [...content.contacts.values()].filter((c) => c.accepts_referrals).map((c) => c.id);
    if (!partners.includes(partner)) {
      return fail(`unknown partner "${partner}" (contacts that accept referrals: ${partners.join(', ')})`, 1);
    }
  }
  if (command !== 'add' && command !== 'list' && !rest[0]) return fail(`give the login name: staff ${command} LOGIN`);
  if (command === 'role' && !(ROLES as readonly string[]).includes(rest[1] ?? '')) {
    return fail('give the role: staff role LOGIN staff|admin');
  }

  const found = await connectBotRedis(config, io.cwd);
  if ('missing' in found) return fail(found.missing, 1);
  const { redis } = found;
  const close = async () => void (await redis.quit().catch(() => redis.disconnect()));
  try {
    const keys = new RedisKeys(config.REDIS_PREFIX);
    const accounts = new AccountStore(redis, keys);
    const sessions = new SessionStore(redis, keys);
    const audit = new AuditLog(redis, keys, systemClock, { retentionDays: config.AUDIT_RETENTION_DAYS });
    const base = config.STAFF_CONSOLE_URL?.replace(/\/+$/, '') ?? consoleBase(config.HOST, config.PORT);
    if (command === 'list') {
      for (const a of await accounts.list()) {
        const state = a.disabled ? 'disabled' : a.passwordHash ? 'password set' : 'waiting for set-up';
        io.stdout.write(`${a.id}\t${a.role}\t${a.partner}\t${state}\n`);
      }
      return 0;
    }
    if (command !== 'add') {
      const account = await accounts.get(rest[0] ?? '');
      if (!account) return fail(`no account "${rest[0]}" (see: kunnafoni staff list)`, 1);
      const endSessions = async () => {
        await accounts.nextGeneration(account.id);
        await sessions.destroyAllOf(account.id);
      };
      const record = (action: string) =>
        audit.record({ partner: account.partner, by: 'cli', action, to: `web:${account.id}` });
      switch (command) {
        case 'reset': {
          await endSessions();
          const token = await accounts.newSetupToken(account.id);
          await record('account_reset');
          io.stdout.write(
            `New password set-up link for ${account.id} (valid 24 h, works once):\n${base}/setup/${token}\n`,
          );
          return 0;
        }
        case 'disable':
          await accounts.setDisabled(account.id, true);
          await endSessions();
          await record('account_disabled');
          io.stdout.write(`${account.id} is disabled: it cannot log in, and its sessions are ended.\n`);
          return 0;
        case 'enable':
          await accounts.setDisabled(account.id, false);
          await record('account_enabled');
          io.stdout.write(`${account.id} is enabled.\n`);
          return 0;
        case 'remove':
          await endSessions();
          await accounts.remove(account.id);
          await record('account_removed');
          io.stdout.write(`${account.id} is removed.\n`);
          return 0;
        case 'role': {
          const role = rest[1] as Role;
          await accounts.setRole(account.id, role);
          await sessions.destroyAllOf(account.id);
          await record(`account_role_${role}`);
          io.stdout.write(`${account.id} is now ${role}; its sessions are ended.\n`);
          return 0;
        }
      }
    }
    const account = await accounts.create({ name, partner, role }, Date.now());
    const token = await accounts.newSetupToken(account.id);
    await audit.record({ partner, by: 'cli', action: `account_added_${role}`, to: `web:${account.id}` });
    io.stdout.write(
      `Account created: ${account.id} (${role}, partner ${partner})\n` +
        `Password set-up link (valid 24 h, works once):\n${base}/setup/${token}\n`,
    );
    return 0;
  } finally {
    await close();
  }
}
