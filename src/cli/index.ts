// `kunnafoni <command>`: the command-line entry point.
import type { CliIo } from './io.ts';
import { runCli } from './run.ts';

const io: CliIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
};
const code = await runCli(process.argv.slice(2), io);
// `start` keeps running until a signal; other commands end here.
if (process.argv[2] !== 'start') process.exitCode = code;
