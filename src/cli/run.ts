// The command dispatcher of `kunnafoni <command>`.
import { parseArgs, unknownOptions } from './args.ts';
import { chatCommand } from './chat.ts';
import type { CliIo } from './io.ts';
import { schemaCommand } from './schema.ts';
import { validateCommand } from './validate.ts';

const USAGE = `Usage: kunnafoni <command>

  start                         run the bot (channels, workers, staff console)
  chat [--lang fr|en|bm]        talk to the bot in this terminal (no token needed)
  validate [--root DIR] [--strict]
                                check flows/, content/ and locales/; every error with file:line:col
  schema [--out FILE]           print the JSON Schema of flow files
  faq search --lang fr --json "question"
  faq search --batch FILE --json
  staff add --partner ID --name NAME --role staff|admin
                                a staff console account; prints a one-time password set-up link
  staff list | staff reset LOGIN
  diagram [FLOW]                print a flow (or all) as a Mermaid flowchart
  alerts publish FILE [--yes]   validate an alert file, preview it, confirm, and broadcast it on Telegram
  alerts status ID [--json]     sent, pending, failed and blocked counts of an alert
`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  validate: (argv, io) => validateCommand(parseArgs(argv, ['strict']), io),
  schema: (argv, io) => schemaCommand(parseArgs(argv), io),
  chat: (argv, io) => chatCommand(parseArgs(argv), io),
  faq: async (argv, io) => {
    const { faqCommand } = await import('./faq.ts');
    return faqCommand(argv, { stdout: io.stdout, stderr: io.stderr, root: io.cwd });
  },
  staff: async (argv, io) => (await import('./staff.ts')).staffCommand(argv, io),
  diagram: async (argv, io) => (await import('./diagram.ts')).diagramCommand(argv, io),
  alerts: (argv, io) => import('./alerts.ts').then((m) => m.alertsCommand(argv, io)),
  start: async (_argv, io) => {
    const { runService } = await import('../main.ts');
    return runService(io);
  },
};

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`kunnafoni: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  const unknown = unknownOptions(name, rest);
  if (unknown !== null) {
    io.stderr.write(`kunnafoni ${unknown}\n\n${USAGE}`);
    return 2;
  }
  return command(rest, io);
}
