// `kunnafoni diagram [FLOW] [--root DIR]`: the flow (or every flow) as a Mermaid flowchart on stdout.
import path from 'node:path';
import { loadBundle } from '../app/bundle.ts';
import { formatProblem } from '../common/source-problems.ts';
import { flowToMermaid } from '../flows/diagram.ts';
import { parseArgs, stringOption } from './args.ts';
import type { CliIo } from './io.ts';

export async function diagramCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  const root = path.resolve(io.cwd, stringOption(args, 'root') ?? '.');
  const { bundle, problems } = await loadBundle(root);
  if (!bundle) {
    for (const p of problems.filter((x) => x.severity === 'error')) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write('diagram: the flows or content have errors; run `npx kunnafoni validate`\n');
    return 1;
  }
  const flows = bundle.flows.flows;
  const wanted = args.positionals[0];
  if (wanted !== undefined && !flows[wanted]) {
    io.stderr.write(`diagram: unknown flow "${wanted}" (flows: ${Object.keys(flows).join(', ')})\n`);
    return 1;
  }
  const ids = wanted !== undefined ? [wanted] : Object.keys(flows);
  // Several flows: one Mermaid block each, separated by a comment line naming the flow.
  io.stdout.write(
    ids.map((id) => `${ids.length > 1 ? `%% flow: ${id}\n` : ''}${flowToMermaid(flows[id]!)}`).join('\n'),
  );
  return 0;
}
