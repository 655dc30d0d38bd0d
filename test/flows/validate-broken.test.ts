// `kunnafoni validate` on a folder of broken flows reports every problem at once, each with file:line:col.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { REPO_ROOT } from '../support/app.ts';

const BROKEN: Record<string, string> = {
  'bad-yaml.yaml': 'id: bad-yaml\nstart: a\nnodes:\n  a: [unclosed\n',
  'unknown-node.yaml': [
    'id: unknown-node',
    'start: a',
    'nodes:',
    '  a:',
    '    say: main.hello',
    '    next: confirm',
  ].join('\n'),
  'dup-one.yaml': 'id: dup\nstart: a\nnodes:\n  a:\n    say: main.hello\n    end: true\n',
  'dup-two.yaml': 'id: dup\nstart: a\nnodes:\n  a:\n    say: main.hello\n    end: true\n',
  'wrong-type.yaml': [
    'id: wrong-type',
    'start: a',
    'nodes:',
    '  a:',
    '    ask:',
    '      type: text',
    '      max_length: long',
    '      next: a',
  ].join('\n'),
  'missing-fr.yaml': ['id: missing-fr', 'start: a', 'nodes:', '  a:', '    say: { en: "Hello" }', '    end: true'].join(
    '\n',
  ),
  'unknown-key.yaml': ['id: unknown-key', 'start: a', 'nodes:', '  a:', '    say: nope.missing', '    end: true'].join(
    '\n',
  ),
  'unreachable.yaml': [
    'id: unreachable',
    'start: a',
    'nodes:',
    '  a:',
    '    say: main.hello',
    '    end: true',
    '  orphan:',
    '    say: main.hello',
    '    end: true',
  ].join('\n'),
  'spin.yaml': [
    'id: spin',
    'start: a',
    'nodes:',
    '  a:',
    '    say: main.hello',
    '    next: b',
    '  b:',
    '    next: a',
  ].join('\n'),
  'typo-field.yaml': [
    'id: typo-field',
    'start: a',
    'nodes:',
    '  a:',
    '    say: main.hello',
    '    nxt: a',
    '    end: true',
  ].join('\n'),
  // `timeout` was a route no channel ever took; a flow that still has it is told so, like any unknown field.
  'old-timeout.yaml': [
    'id: old-timeout',
    'start: a',
    'nodes:',
    '  a:',
    '    ask: { type: text, next: b }',
    '    timeout: b',
    '  b:',
    '    end: true',
  ].join('\n'),
  'unknown-flow.yaml': ['id: unknown-flow', 'start: a', 'nodes:', '  a:', '    next: nowhere:start'].join('\n'),
  'unknown-faq.yaml': [
    'id: unknown-faq',
    'start: a',
    'nodes:',
    '  a:',
    '    do:',
    '      - show_faq: { faq: no-such-faq }',
    '    end: true',
  ].join('\n'),
  'dup-key.yaml': ['id: dup-key', 'start: a', 'nodes:', '  a:', '    end: true', '  a:', '    end: true'].join('\n'),
  'choice-no-next.yaml': [
    'id: choice-no-next',
    'start: a',
    'nodes:',
    '  a:',
    '    ask:',
    '      prompt: main.menu',
    '      choices:',
    '        - { id: one, label: common.yes }',
  ].join('\n'),
  'bad-id.yaml': ['id: bad-id', 'start: a', 'nodes:', '  Confirm_Step:', '    end: true', '  a:', '    end: true'].join(
    '\n',
  ),
};

let root: string;
let stdout = '';
let stderr = '';
let code = -1;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'kf-broken-'));
  for (const dir of ['flows', 'content', 'locales'])
    await cp(path.join(REPO_ROOT, dir), path.join(root, dir), { recursive: true });
  for (const [name, text] of Object.entries(BROKEN)) await writeFile(path.join(root, 'flows', name), `${text}\n`);
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (d) => {
    stdout += d;
  });
  err.on('data', (d) => {
    stderr += d;
  });
  code = await runCli(['validate', '--root', root], {
    stdin: new PassThrough(),
    stdout: out,
    stderr: err,
    cwd: REPO_ROOT,
    env: {},
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('validate on broken flows', () => {
  it('fails with exit code 1 and a summary', () => {
    expect(code).toBe(1);
    expect(stderr).toMatch(/validate: \d+ errors, \d+ warnings/);
  });

  it.each([
    ['bad YAML', /^flows\/bad-yaml\.yaml:\d+:\d+ invalid YAML: Flow sequence/m],
    ['unknown node', /^flows\/unknown-node\.yaml:6:11 nodes\.a\.next: unknown node "confirm"$/m],
    ['duplicate flow id', /^flows\/dup-two\.yaml:1:5 id: duplicate flow id "dup" \(also in flows\/dup-one\.yaml\)$/m],
    ['wrong type', /^flows\/wrong-type\.yaml:7:19 nodes\.a\.ask\.max_length: .*number/m],
    ['missing fr text', /^flows\/missing-fr\.yaml:5:\d+ nodes\.a\.say(\.fr)?: /m],
    ['unknown i18n key', /^flows\/unknown-key\.yaml:5:10 nodes\.a\.say: i18n key "nope\.missing" is missing in fr$/m],
    ['unknown field', /^flows\/typo-field\.yaml:6:5 nodes\.a\.nxt: unknown field "nxt"$/m],
    ['a timeout route', /^flows\/old-timeout\.yaml:6:5 nodes\.a\.timeout: unknown field "timeout"$/m],
    ['unknown flow', /^flows\/unknown-flow\.yaml:5:11 nodes\.a\.next: unknown flow "nowhere"$/m],
    ['unknown FAQ', /^flows\/unknown-faq\.yaml:6:\d+ nodes\.a\.do\.0\.show_faq\.faq: unknown FAQ "no-such-faq"$/m],
    ['duplicate YAML key', /^flows\/dup-key\.yaml:6:\d+ invalid YAML: .*unique/m],
    ['choice without next', /^flows\/choice-no-next\.yaml:8:\d+ nodes\.a\.ask\.choices\.0: choice "one" has no next/m],
    ['bad node id', /^flows\/bad-id\.yaml:4:3 nodes\.Confirm_Step: invalid id: ids are lower-case/m],
  ])('reports %s as an error with file:line:col', (_kind, pattern) => {
    expect(stderr).toMatch(pattern);
  });

  it.each([
    ['an unreachable node', /^flows\/unreachable\.yaml:7:3 nodes\.orphan: warning: node "orphan" is never reached$/m],
    [
      'a loop that never waits',
      /^flows\/spin\.yaml:\d+:3 nodes\.[ab]: warning: loop that never waits for input: spin:[ab] -> spin:[ab] -> spin:[ab]$/m,
    ],
  ])('warns about %s', (_kind, pattern) => {
    expect(stdout).toMatch(pattern);
  });

  it('passes on the shipped flows', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => {
      text += d;
    });
    const ok = await runCli(['validate'], {
      stdin: new PassThrough(),
      stdout: out,
      stderr: out,
      cwd: REPO_ROOT,
      env: {},
    });
    expect(text).toMatch(/validate: ok — 0 errors/);
    expect(ok).toBe(0);
  });
});
