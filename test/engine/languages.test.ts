// One list of languages, from which everything derives: a fourth language added to that list and given a few
// locale files in a fixture is validated, offered in the language menu, spoken where translated, and falls back
// to French (marked) where a text is missing. Nothing else has to be edited.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadBundle } from '../../src/app/bundle.ts';
import { renderConsoleMessage } from '../../src/channels/console/render.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { MemorySessionStore } from '../../src/infra/memory-session-store.ts';
import { LocalChatQueue } from '../../src/infra/redis-chat-lock.ts';
import { createRuntime } from '../../src/runtime/runtime.ts';
import { REPO_ROOT } from '../support/app.ts';

vi.mock('../../src/engine/types.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/engine/types.ts')>();
  return {
    ...real,
    LANGUAGES: [...real.LANGUAGES, 'snk'],
    DRAFT_LANGUAGES: [...real.DRAFT_LANGUAGES, 'snk'],
    LANGUAGE_NAMES: { ...real.LANGUAGE_NAMES, snk: 'Sooninkanxanne' },
    LANGUAGE_ALIASES: { ...real.LANGUAGE_ALIASES, snk: ['Soninke', 'Sarakole'] },
    isLang: (value: string) => [...real.LANGUAGES, 'snk'].includes(value),
  };
});

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'kunnafoni-lang4-'));
  for (const dir of ['flows', 'content', 'locales'])
    cpSync(path.join(REPO_ROOT, dir), path.join(root, dir), { recursive: true });
  mkdirSync(path.join(root, 'locales', 'snk'));
  // A first, partial translation: the menu question and the fallback mark only.
  writeFileSync(path.join(root, 'locales', 'snk', 'main.json'), JSON.stringify({ menu: 'An na manne ñi ?' }));
  writeFileSync(path.join(root, 'locales', 'snk', 'common.json'), JSON.stringify({ in_french: 'faransinkan' }));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('a fourth language', () => {
  it('validates: its missing texts are warnings while it is a draft language, never errors', async () => {
    const { bundle, problems } = await loadBundle(root);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(problems.some((p) => p.message.includes('is missing in snk') && p.severity === 'warning')).toBe(true);
    expect(bundle).not.toBeNull();
  });

  it('is offered in the language menu, speaks where translated and falls back to French, marked', async () => {
    const { bundle } = await loadBundle(root);
    const runtime = createRuntime({
      flows: bundle!.flows,
      catalog: bundle!.catalog,
      presenter: bundle!.presenter,
      store: new MemorySessionStore(),
      lock: new LocalChatQueue(),
      clock: { now: () => 0 },
      logger: silentLogger(),
    });
    const chat = { channel: 'console' as const, id: 'snk' };
    const language = (await runtime.handle(chat, { kind: 'start' })).map(renderConsoleMessage).join('\n');
    expect(language).toContain('4. Sooninkanxanne');
    expect(language).toContain('Réponds 1, 2, 3 ou 4.');
    const menu = (await runtime.handle(chat, { kind: 'text', text: 'Soninke' })).map(renderConsoleMessage).join('\n');
    expect(menu).toContain('An na manne ñi ?');
    expect(menu).toContain('Connaître mes droits (faransinkan)');
  });
});
