// Configuration from the environment, parsed with zod. Every bad variable gets one clear line.
// .env.example lists every variable with its default.
import { z } from 'zod';
import { parseDataKeys } from './infra/crypto.ts';
import { parseProxyTrust } from './infra/proxy-trust.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number) => z.coerce.number().int().min(min);

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Logs message text (for debugging only: it is personal data). */
  LOG_MESSAGE_TEXT: bool.default(false),
  /** Folder that holds flows/, content/ and locales/. */
  KUNNAFONI_ROOT: z.string().default('.'),
  /** Local data (private Redis, WhatsApp pairing). */
  KUNNAFONI_DATA_DIR: z.string().default('.kunnafoni'),
  /** AES-256-GCM keys for personal data: "id:base64key[,id:base64key]" (first is current). Required in production. */
  KUNNAFONI_DATA_KEY: z.string().optional(),
  /** Secret for the keyed hashes that stand for people in Redis keys and job ids (>= 16 characters, never rotated). */
  KUNNAFONI_PSEUDONYM_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  REDIS_URL: z.string().url().optional(),
  /** Redis Sentinel instead of REDIS_URL: "host:port,host:port" and the master's name. */
  REDIS_SENTINELS: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+)*$/, 'looks like host:26379,host:26379')
    .optional(),
  REDIS_SENTINEL_NAME: z.string().default('kf'),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('kf'),
  SESSION_TTL_DAYS: int(1).default(30),
  /** Messages one person may send per minute; beyond, one polite message and then silence for that minute. */
  FLOOD_MAX_PER_MINUTE: int(1).default(20),
  HOST: z.string().default('127.0.0.1'),
  /** The console's public address, for set-up links (e.g. https://console.example.org behind a proxy). */
  STAFF_CONSOLE_URL: z.string().url().optional(),
  /** Which client address counts for staff login limits: false, true (one hop) or proxy addresses/CIDRs. */
  TRUST_PROXY: z
    .string()
    .default('false')
    .superRefine((v, ctx) => {
      const parsed = parseProxyTrust(v);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
    }),
  PORT: int(0).max(65535).default(3000),
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]+$/, 'looks like 123456:ABC-DEF... (from @BotFather)')
    .optional(),
  TELEGRAM_API_ROOT: z.string().url().default('https://api.telegram.org'),
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  TELEGRAM_WEBHOOK_URL: z.string().url().optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, 'letters, digits, _ and - only (Telegram rule)')
    .optional(),
  WHATSAPP_ENABLED: bool.default(false),
  WHATSAPP_CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  WHATSAPP_AUTH: z.enum(['local', 'remote']).default('local'),
  WHATSAPP_PAIRING_PHONE: z.string().optional(),
  WHATSAPP_MAX_PER_MINUTE: int(1).default(20),
  /** Least time between any two WhatsApp sends, all chats together. */
  WHATSAPP_SEND_GAP_MS: int(0).default(300),
  REFERRAL_FALLBACK_PARTNER: z.string().default('ame'),
  REFERRAL_REMIND_HOURS: int(1).default(12),
  REFERRAL_ESCALATE_HOURS: int(1).default(48),
  REFERRAL_RETENTION_DAYS: int(1).default(30),
  /** Staff Telegram group per partner: "ame=-100123,aracem=-100456". */
  REFERRAL_STAFF_GROUPS: z.string().default(''),
  /** Days the partners' audit log keeps an entry (logins, views of personal data, case work), then drops it. */
  AUDIT_RETENTION_DAYS: int(1).max(3650).default(365),
  ALERTS_RATE_PER_SECOND: int(1).default(30),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(`Bad configuration:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
}

/** The configuration, or null after writing what is wrong (one line per variable) to `stderr`. */
export function configOrReport(env: NodeJS.ProcessEnv, stderr: NodeJS.WritableStream): Config | null {
  try {
    return parseConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    stderr.write(`${err.message}\n`);
    return null;
  }
}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty variables count as unset, as in most .env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(lines);
  }
  const config = parsed.data;
  const problems: string[] = [];
  if (config.NODE_ENV === 'production' && !config.KUNNAFONI_DATA_KEY) {
    problems.push('KUNNAFONI_DATA_KEY: required in production (32 random bytes in base64: `openssl rand -base64 32`)');
  }
  if (config.NODE_ENV === 'production' && !config.KUNNAFONI_PSEUDONYM_SECRET) {
    problems.push('KUNNAFONI_PSEUDONYM_SECRET: required in production (`openssl rand -base64 24`; never change it)');
  }
  if (config.KUNNAFONI_DATA_KEY) {
    try {
      parseDataKeys(config.KUNNAFONI_DATA_KEY);
    } catch (err) {
      problems.push(`KUNNAFONI_DATA_KEY: ${(err as Error).message} (format "k1:<32 bytes in base64>")`);
    }
  }
  if (config.TELEGRAM_MODE === 'webhook' && config.TELEGRAM_BOT_TOKEN) {
    if (!config.TELEGRAM_WEBHOOK_URL) problems.push('TELEGRAM_WEBHOOK_URL: required when TELEGRAM_MODE=webhook');
    if (!config.TELEGRAM_WEBHOOK_SECRET) {
      problems.push('TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_MODE=webhook (any long random string)');
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
