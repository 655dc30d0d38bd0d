// Minimal argument parsing: `--name value`, `--flag`, and positionals.
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
