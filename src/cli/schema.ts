// `kunnafoni schema [--out FILE]`: the JSON Schema of flow files, for editors (flows reference schema/flow.schema.json).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowJsonSchema } from '../flows/schema.ts';
import { type Args, stringOption } from './args.ts';
import type { CliIo } from './io.ts';

export async function schemaCommand(args: Args, io: CliIo): Promise<number> {
  const text = `${JSON.stringify(flowJsonSchema(), null, 2)}\n`;
  const out = stringOption(args, 'out');
  if (!out) {
    io.stdout.write(text);
    return 0;
  }
  await writeFile(path.resolve(io.cwd, out), text);
  io.stdout.write(`wrote ${out}\n`);
  return 0;
}
