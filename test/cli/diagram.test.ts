// `kunnafoni diagram [FLOW]` prints Mermaid for one flow or all of them.
import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { diagramCommand } from '../../src/cli/diagram.ts';
import { REPO_ROOT } from '../support/app.ts';

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await diagramCommand(argv, { stdin: new PassThrough(), stdout, stderr, cwd: REPO_ROOT, env: {} });
  return { code, out, err };
}

test('one flow: a Mermaid flowchart of it', async () => {
  const { code, out } = await run(['referral']);
  expect(code).toBe(0);
  expect(out.startsWith('flowchart TD\n  start_((referral)) --> ')).toBe(true);
  expect(out).not.toContain('%% flow:');
});

test('no flow named: every flow, each introduced by a comment', async () => {
  const { code, out } = await run([]);
  expect(code).toBe(0);
  for (const id of ['main', 'referral', 'rights', 'alerts']) expect(out).toContain(`%% flow: ${id}\nflowchart TD`);
});

test('an unknown flow: exit 1 and the list of flows', async () => {
  const { code, err } = await run(['nope']);
  expect(code).toBe(1);
  expect(err).toContain('unknown flow "nope"');
  expect(err).toContain('main');
});

test('`kunnafoni diagram` and `kunnafoni staff` are commands of the CLI', async () => {
  const { runCli } = await import('../../src/cli/run.ts');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const io = { stdin: new PassThrough(), stdout, stderr, cwd: REPO_ROOT, env: {} };
  expect(await runCli(['diagram', 'main'], io)).toBe(0);
  expect(out).toContain('flowchart TD');
  expect(await runCli(['staff'], io)).toBe(2);
  expect(err).toContain('Usage: kunnafoni staff add --partner PARTNER --name NAME --role staff|admin');
});
