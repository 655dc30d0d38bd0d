// `printf '...' | npx kunnafoni chat --lang fr`: the real CLI, flows and runtime, driven line by line.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/app.ts';

function chat(lines: string[], args: string[] = []) {
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/kunnafoni.js'), 'chat', ...args], {
    cwd: REPO_ROOT,
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { out: result.stdout, err: result.stderr, code: result.status };
}

describe('kunnafoni chat (stdin not a terminal)', () => {
  it('walks from the menu through a topic to an answer with its sources, then back to the menu', () => {
    const { out, code } = chat(['1', '2', '1', 'oui'], ['--lang', 'fr']);
    expect(code).toBe(0);
    // Menu, as numbered lines with how to answer.
    expect(out).toContain('1. Connaître mes droits');
    expect(out).toContain('Réponds 1, 2, 3, 4, 5, 6 ou 7.');
    // Topic "Arrêté ou expulsé", then its first question, then the answer with sources and review date.
    expect(out).toContain('Choisis une question.');
    expect(out).toMatch(/== .+ ==/);
    expect(out).toMatch(/Source : .+ · vérifié le \d{1,2}(er)? \S+ 20\d\d/);
    expect(out).toContain('Est-ce que cette réponse t’aide ?'.replace('’', "'"));
    expect(out).toContain('Tant mieux ! Voici le menu.');
  });

  it('asks the language first without --lang, and understands a language name', () => {
    const { out } = chat(['english', 'help']);
    expect(out).toContain('Choisis ta langue.');
    expect(out).toContain('What do you want to do? You can also type your question.');
    expect(out).toContain('Useful words: MENU, HELP, LANGUAGE');
  });

  it('gives a helpful reply to odd input and exits at the end of input', () => {
    const { out, code } = chat(['/voice', '99', '🙂'], ['--lang', 'en']);
    expect(code).toBe(0);
    expect(out).toContain("I can't listen to voice notes yet");
    expect(out).toContain('That number is not in the list (1 to 7).');
  });

  it('rejects an unknown language with a clear message', () => {
    const { err, code } = chat([], ['--lang', 'de']);
    expect(code).toBe(2);
    expect(err).toContain('--lang must be one of fr, en, bm');
  });
});
