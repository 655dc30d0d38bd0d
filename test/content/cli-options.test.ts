// Every command refuses an option it does not know, names the ones it knows, and does nothing else.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { COMMAND_OPTIONS } from '../../src/cli/args.ts';
import { runCli } from '../../src/cli/run.ts';
import { REPO_ROOT } from '../support/app.ts';

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await runCli(argv, { stdin: new PassThrough(), stdout, stderr, cwd: REPO_ROOT, env: {} });
  return { code, out, err };
}

describe('unknown options', () => {
  it('`validate --stric` fails and lists the known options instead of validating leniently', async () => {
    const r = await run(['validate', '--stric']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('validate: unknown option --stric (known: --strict, --root)');
    expect(r.out).not.toContain('validate: ok');
  });

  it('is an error for every command', async () => {
    for (const command of Object.keys(COMMAND_OPTIONS)) {
      const r = await run([command, '--no-such-option']);
      expect(r.code, command).toBe(2);
      expect(r.err, command).toContain(`${command}: unknown option --no-such-option`);
    }
  });

  it('accepts the known ones (`validate --root .` still validates)', async () => {
    const r = await run(['validate', '--root', '.']);
    expect(r.err).not.toContain('unknown option');
  });
});
