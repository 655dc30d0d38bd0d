// `kunnafoni <command>`: the command-line entry point.
import type { CliIo } from './io.ts';
import { runCli } from './run.ts';

// Output piped into a command that stops reading (`| head`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const io: CliIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
};
const code = await runCli(process.argv.slice(2), io);
// `start` keeps running until a signal when it returns 0; every other result ends the process with its code.
process.exitCode = code;
