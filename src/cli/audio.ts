// `kunnafoni audio list [--json]` and `kunnafoni audio export DIR`: the recordings of the running bot (its Redis and
// data directory, like `staff`), so a team can commit approved recordings into content/audio/.
// export writes DIR/<lang>/<item>.ogg for every approved recording plus DIR/manifest.json.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connectBotRedis } from '../app/bot-redis.ts';
import { seconds } from '../audio/convert.ts';
import { coverageLine } from '../audio/coverage.ts';
import { AudioLibrary } from '../audio/library.ts';
import { formatProblem } from '../common/source-problems.ts';
import { ConfigError, parseConfig } from '../config.ts';
import { loadContent } from '../content/load.ts';
import { RedisKeys } from '../infra/keys.ts';
import { parseArgs, stringOption } from './args.ts';
import type { CliIo } from './io.ts';

const USAGE = `Usage: kunnafoni audio list [--json]      every recording: item, language, status, length
       kunnafoni audio export DIR        approved recordings as DIR/<lang>/<item>.ogg plus DIR/manifest.json
Options: --root DIR (the folder holding content/, default: KUNNAFONI_ROOT)
`;

const FLAGS: Record<string, readonly string[]> = { list: ['json', 'root'], export: ['root'] };

export async function audioCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const [sub, ...rest] = args.positionals;
  const fail = (message: string, code = 2) => {
    io.stderr.write(`audio: ${message}\n${code === 2 ? `\n${USAGE}` : ''}`);
    return code;
  };
  if (sub !== 'list' && sub !== 'export') return fail(sub ? `unknown command "${sub}"` : 'no command');
  const allowed = FLAGS[sub] ?? [];
  const unknown = [...args.options.keys()].find((name) => !allowed.includes(name));
  if (unknown) return fail(`unknown option --${unknown}`);
  if (sub === 'list' && rest.length > 0) return fail(`unexpected argument "${rest[0]}"`);
  if (sub === 'export' && rest.length !== 1) return fail('give one folder: audio export DIR');

  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message, 1);
    throw err;
  }
  const root = path.resolve(io.cwd, stringOption(args, 'root') ?? config.KUNNAFONI_ROOT);
  const { content, problems } = await loadContent(root);
  if (!content) {
    for (const p of problems.filter((x) => x.severity === 'error')) io.stderr.write(`${formatProblem(p)}\n`);
    return fail('the content has errors (run `kunnafoni validate`)', 1);
  }
  const found = await connectBotRedis(config, io.cwd);
  if ('missing' in found) return fail(found.missing, 1);
  const { redis } = found;
  try {
    const library = await AudioLibrary.open({
      redis,
      keys: new RedisKeys(config.REDIS_PREFIX),
      dataDir: path.resolve(io.cwd, config.KUNNAFONI_DATA_DIR),
      content,
    });
    for (const p of library.shippedProblems) io.stderr.write(`content/${p.file}: ${p.message}\n`);
    return sub === 'list'
      ? await list(library, io, args.options.has('json'))
      : await exportTo(library, path.resolve(io.cwd, rest[0] ?? ''), io);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

async function list(library: AudioLibrary, io: CliIo, json: boolean): Promise<number> {
  const cells = await library.matrix();
  if (json) {
    const out = cells.map((c) => ({
      item: c.item,
      lang: c.lang,
      status: c.status,
      ...(c.recording ? { durationMs: c.recording.durationMs, source: c.recording.source } : {}),
    }));
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...library.items.map((i) => i.length));
  for (const c of cells) {
    if (!c.recording) continue;
    const where = c.recording.source === 'content' ? 'content/audio' : 'console';
    io.stdout.write(
      `${c.item.padEnd(width)}  ${c.lang}  ${c.status.padEnd(8)}  ${String(seconds(c.recording.durationMs)).padStart(5)} s  ${where}\n`,
    );
  }
  const missing = cells.filter((c) => c.status === 'missing').length;
  io.stdout.write(`${coverageLine(await library.coverage())} Not recorded: ${missing} of ${cells.length}.\n`);
  return 0;
}

async function exportTo(library: AudioLibrary, dir: string, io: CliIo): Promise<number> {
  const recordings = [];
  for (const item of library.items) {
    for (const lang of library.langs) {
      const audio = await library.approvedFor(item, lang);
      if (!audio) continue;
      const file = `${lang}/${item}.ogg`;
      const target = path.join(dir, file);
      await mkdir(path.dirname(target), { recursive: true });
      // Exporting into content/audio/ itself: a shipped file is already where it goes.
      if (path.resolve(audio.path) !== path.resolve(target)) await copyFile(audio.path, target);
      const bytes = await readFile(target);
      recordings.push({
        item,
        lang,
        file,
        durationMs: audio.durationMs,
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
  }
  // No staff ids in the manifest: it is meant to be committed.
  const manifest = { format: 'ogg/opus', exportedAt: new Date().toISOString(), recordings };
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  io.stdout.write(
    `Exported ${recordings.length} approved recording${recordings.length === 1 ? '' : 's'} to ${dir} (manifest.json).\n` +
      'To ship them with the bot, put them in content/audio/ and commit (see content/audio/README.md).\n',
  );
  return 0;
}
