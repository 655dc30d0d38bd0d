import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigSchema, parseConfig } from '../src/config.ts';
import { REPO_ROOT } from './support/app.ts';

describe('config', () => {
  it('has defaults for a first start with nothing set', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.TELEGRAM_MODE).toBe('polling');
    expect(config.WHATSAPP_ENABLED).toBe(false);
  });

  it('gives one clear line per bad variable', () => {
    try {
      parseConfig({ PORT: 'eighty', TELEGRAM_BOT_TOKEN: 'nope', WHATSAPP_ENABLED: 'maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const lines = (err as ConfigError).lines;
      expect(lines).toHaveLength(3);
      expect(lines.find((l) => l.startsWith('PORT:'))).toBeDefined();
      expect(lines.find((l) => l.startsWith('TELEGRAM_BOT_TOKEN:'))).toContain('@BotFather');
      expect(lines.find((l) => l.startsWith('WHATSAPP_ENABLED:'))).toBeDefined();
    }
  });

  it('keeps the audit log 365 days unless AUDIT_RETENTION_DAYS says otherwise', () => {
    expect(parseConfig({}).AUDIT_RETENTION_DAYS).toBe(365);
    expect(parseConfig({ AUDIT_RETENTION_DAYS: '90' }).AUDIT_RETENTION_DAYS).toBe(90);
    for (const bad of ['0', 'a year', '4000']) {
      expect(() => parseConfig({ AUDIT_RETENTION_DAYS: bad })).toThrow(/AUDIT_RETENTION_DAYS:/);
    }
  });

  it('requires a data key in production', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(/KUNNAFONI_DATA_KEY/);
  });

  it('lists every variable in .env.example', () => {
    const example = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    // Commented out ("# NAME=default") where the Docker image sets it: still listed, never overriding the image.
    for (const name of Object.keys(ConfigSchema.shape)) expect(example).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
  });

  it('leaves what the Docker image needs to the image', () => {
    const example = readFileSync(path.join(REPO_ROOT, '.env.example'), 'utf8');
    for (const name of ['NODE_ENV', 'KUNNAFONI_DATA_DIR', 'HOST', 'PORT']) {
      expect(example).not.toMatch(new RegExp(`^${name}=`, 'm'));
    }
  });
});
