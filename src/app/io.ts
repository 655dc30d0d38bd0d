// What a command of the bot reads and writes: the same shape as the CLI's (cli/io.ts), declared here so that
// main.ts and app/ never import the CLI that starts them.
export type AppIo = {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
};
