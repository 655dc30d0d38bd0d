// Minimal argument parsing: `--name value`, `--flag`, and positionals; and the options every command knows,
// so a typo (`validate --stric`) is an error that lists the known ones instead of being silently ignored.
export type Args = { positionals: string[]; options: Map<string, string | true> };

export function parseArgs(argv: readonly string[], flags: readonly string[] = []): Args {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      options.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (flags.includes(arg.slice(2)) || argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) {
      options.set(arg.slice(2), true);
    } else {
      options.set(arg.slice(2), argv[++i]!);
    }
  }
  return { positionals, options };
}

export function stringOption(args: Args, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

/**
 * The options of each command: `flags` stand alone (`--strict`), `values` take a value (`--root DIR`).
 * A command missing here accepts no option at all. Add a command's new option here when you add it.
 */
export const COMMAND_OPTIONS: Record<string, { flags: readonly string[]; values: readonly string[] }> = {
  start: { flags: [], values: [] },
  chat: { flags: ['memory'], values: ['lang', 'root'] },
  validate: { flags: ['strict'], values: ['root'] },
  schema: { flags: [], values: ['out'] },
  faq: { flags: ['json'], values: ['lang', 'batch', 'root'] },
  staff: { flags: [], values: ['partner', 'name', 'role', 'root'] },
  diagram: { flags: [], values: ['root'] },
  alerts: { flags: ['yes', 'json', 'help'], values: [] },
};

/** The error for options `command` does not know (null when all are known), naming the ones it knows. */
export function unknownOptions(command: string, argv: readonly string[]): string | null {
  const known = COMMAND_OPTIONS[command] ?? { flags: [], values: [] };
  const args = parseArgs(argv, known.flags);
  const names = [...known.flags, ...known.values];
  const unknown = [...args.options.keys()].filter((name) => !names.includes(name));
  if (unknown.length === 0) return null;
  const list = unknown.map((n) => `--${n}`).join(', ');
  const knownList = names.length === 0 ? 'it takes no option' : `known: ${names.map((n) => `--${n}`).join(', ')}`;
  return `${command}: unknown option${unknown.length === 1 ? '' : 's'} ${list} (${knownList})`;
}
