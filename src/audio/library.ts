// The recordings library: every recordable item × language, its status (missing / recorded / approved), the files
// in the data directory (`<data dir>/audio/`, the /data volume in Docker) and the metadata in Redis:
//   {kf}:audio:rec:<item>:<lang>       hash: file, version, status, durationMs, bytes, recordedAt, recordedBy,
//                                      approvedAt, approvedBy (staff ids: `web:<account>`, `telegram:<pseudonym>`)
//   {kf}:audio:index                   set of `<item>:<lang>` that have a hash
//   {kf}:audio:ids:<version>           hash: platform -> the platform's id of that file version
// Recordings shipped in content/audio/ are approved; one recorded here and approved takes their place.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Lang } from '../engine/types.ts';
import type { RedisKeys } from '../infra/keys.ts';
import type { OutAudio } from '../ports/out-message.ts';
import { type AudioLimits, acceptVoiceNote, convertToVoiceNote, DEFAULT_LIMITS, type VoiceNote } from './convert.ts';
import { AUDIO_LANGS, type AudioItem, recordableItems } from './items.ts';
import type { ApprovedAudio, AudioPlatform, VoiceRecordings } from './port.ts';
import { type AudioContent, loadShipped, type ShippedProblem, type ShippedRecording } from './shipped.ts';

export type AudioStatus = 'missing' | 'recorded' | 'approved';

export type Recording = {
  item: AudioItem;
  lang: Lang;
  status: 'recorded' | 'approved';
  /** `data`: recorded through Telegram or the console; `content`: a file in content/audio/. */
  source: 'data' | 'content';
  path: string;
  durationMs: number;
  bytes: number;
  version: string;
  recordedAt?: number;
  recordedBy?: string;
  approvedAt?: number;
  approvedBy?: string;
};

export type AudioCell = { item: AudioItem; lang: Lang; status: AudioStatus; recording: Recording | null };

export type AudioLibraryOptions = {
  redis: Redis;
  keys: RedisKeys;
  /** The data directory (KUNNAFONI_DATA_DIR); files go in its `audio/` folder. */
  dataDir: string;
  content: AudioContent;
  ffmpegPath?: string;
  limits?: AudioLimits;
  now?: () => number;
};

const cellKey = (item: AudioItem, lang: Lang) => `${item}:${lang}`;

export class AudioLibrary implements VoiceRecordings {
  readonly items: readonly AudioItem[];
  readonly langs: readonly Lang[] = AUDIO_LANGS;
  readonly limits: AudioLimits;
  readonly folder: string;
  /** Files in content/audio/ that could not be used (unknown item, not OGG/Opus). */
  readonly shippedProblems: readonly ShippedProblem[];
  private readonly shipped: ReadonlyMap<string, ShippedRecording>;
  private readonly now: () => number;

  private constructor(
    private readonly options: AudioLibraryOptions,
    items: readonly AudioItem[],
    shipped: { recordings: ShippedRecording[]; problems: ShippedProblem[] },
  ) {
    this.items = items;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.folder = path.join(options.dataDir, 'audio');
    this.shipped = new Map(shipped.recordings.map((r) => [cellKey(r.item, r.lang), r]));
    this.shippedProblems = shipped.problems;
    this.now = options.now ?? Date.now;
  }

  static async open(options: AudioLibraryOptions): Promise<AudioLibrary> {
    const items = recordableItems(options.content.faqs.keys());
    return new AudioLibrary(options, items, await loadShipped(options.content, items));
  }

  private key(...parts: string[]): string {
    return this.options.keys.key('audio', ...parts);
  }

  isItem(item: string): item is AudioItem {
    return (this.items as readonly string[]).includes(item);
  }

  /** The recording made here, if any (not the shipped one). */
  private async stored(item: AudioItem, lang: Lang): Promise<Recording | null> {
    const hash = await this.options.redis.hgetall(this.key('rec', item, lang));
    if (!hash.file || !hash.version || (hash.status !== 'recorded' && hash.status !== 'approved')) return null;
    const num = (v: string | undefined) => (v ? Number(v) : undefined);
    const recording: Recording = {
      item,
      lang,
      status: hash.status,
      source: 'data',
      path: path.join(this.folder, hash.file),
      durationMs: Number(hash.durationMs ?? 0),
      bytes: Number(hash.bytes ?? 0),
      version: hash.version,
    };
    const recordedAt = num(hash.recordedAt);
    const approvedAt = num(hash.approvedAt);
    if (recordedAt !== undefined) recording.recordedAt = recordedAt;
    if (hash.recordedBy) recording.recordedBy = hash.recordedBy;
    if (approvedAt !== undefined) recording.approvedAt = approvedAt;
    if (hash.approvedBy) recording.approvedBy = hash.approvedBy;
    return recording;
  }

  private shippedOf(item: AudioItem, lang: Lang): Recording | null {
    const s = this.shipped.get(cellKey(item, lang));
    return s ? { ...s, status: 'approved', source: 'content' } : null;
  }

  /** What the console shows for a cell: the recording made here, else the shipped one. */
  async get(item: AudioItem, lang: Lang): Promise<Recording | null> {
    return (await this.stored(item, lang)) ?? this.shippedOf(item, lang);
  }

  /** Every item × language, in the order of `items` then `langs`. */
  async matrix(): Promise<AudioCell[]> {
    const cells: AudioCell[] = [];
    for (const item of this.items) {
      for (const lang of this.langs) {
        const recording = await this.get(item, lang);
        cells.push({ item, lang, status: recording?.status ?? 'missing', recording });
      }
    }
    return cells;
  }

  /** A Telegram voice note, kept byte for byte; its `file_id` can be sent again by the same bot. */
  async saveVoiceNote(
    item: AudioItem,
    lang: Lang,
    bytes: Buffer,
    by: string,
    platformIds: Partial<Record<AudioPlatform, string>> = {},
  ): Promise<Recording> {
    return this.save(item, lang, acceptVoiceNote(bytes, this.limits), by, platformIds);
  }

  /** An upload from the console (ogg, opus, mp3, m4a, wav), converted to mono OGG/Opus. */
  async saveUpload(item: AudioItem, lang: Lang, bytes: Buffer, filename: string, by: string): Promise<Recording> {
    const note = await convertToVoiceNote(bytes, filename, {
      limits: this.limits,
      ...(this.options.ffmpegPath ? { ffmpegPath: this.options.ffmpegPath } : {}),
    });
    return this.save(item, lang, note, by, {});
  }

  private async save(
    item: AudioItem,
    lang: Lang,
    note: VoiceNote,
    by: string,
    platformIds: Partial<Record<AudioPlatform, string>>,
  ): Promise<Recording> {
    if (!this.isItem(item)) throw new Error(`unknown audio item ${item}`);
    const previous = await this.stored(item, lang);
    const version = randomBytes(9).toString('base64url');
    const file = `${item}.${lang}.${version}.ogg`;
    await mkdir(this.folder, { recursive: true });
    // Written aside, then renamed: a reader never sees half a file.
    const partial = path.join(this.folder, `.${file}.part`);
    await writeFile(partial, note.bytes);
    await rename(partial, path.join(this.folder, file));
    const recordedAt = this.now();
    const multi = this.options.redis.multi();
    multi.del(this.key('rec', item, lang));
    multi.hset(this.key('rec', item, lang), {
      file,
      version,
      status: 'recorded',
      durationMs: String(note.durationMs),
      bytes: String(note.bytes.length),
      recordedAt: String(recordedAt),
      recordedBy: by,
    });
    multi.sadd(this.key('index'), cellKey(item, lang));
    for (const [platform, id] of Object.entries(platformIds)) multi.hset(this.key('ids', version), platform, id);
    await multi.exec();
    if (previous) await this.forget(previous);
    return (await this.stored(item, lang)) as Recording;
  }

  /** Marks the recording made here approved; null when there is none. */
  async approve(item: AudioItem, lang: Lang, by: string): Promise<Recording | null> {
    const recording = await this.stored(item, lang);
    if (!recording) return null;
    await this.options.redis.hset(this.key('rec', item, lang), {
      status: 'approved',
      approvedAt: String(this.now()),
      approvedBy: by,
    });
    return this.stored(item, lang);
  }

  /** Deletes the recording made here (file and metadata); a shipped one stays: it lives in git. */
  async remove(item: AudioItem, lang: Lang): Promise<boolean> {
    const recording = await this.stored(item, lang);
    if (!recording) return false;
    await this.options.redis
      .multi()
      .del(this.key('rec', item, lang))
      .srem(this.key('index'), cellKey(item, lang))
      .exec();
    await this.forget(recording);
    return true;
  }

  private async forget(recording: Recording): Promise<void> {
    await this.options.redis.del(this.key('ids', recording.version));
    await rm(recording.path, { force: true });
  }

  async approvedFor(item: AudioItem, lang: Lang): Promise<ApprovedAudio | null> {
    const stored = await this.stored(item, lang);
    const recording = stored?.status === 'approved' ? stored : this.shippedOf(item, lang);
    if (!recording) return null;
    const ids = await this.options.redis.hgetall(this.key('ids', recording.version));
    return {
      item,
      lang,
      path: recording.path,
      durationMs: recording.durationMs,
      version: recording.version,
      platformIds: ids.telegram ? { telegram: ids.telegram } : {},
    };
  }

  async approvedItems(lang: Lang): Promise<ReadonlySet<AudioItem>> {
    const approved = new Set<AudioItem>();
    for (const item of this.items) if (await this.approvedFor(item, lang)) approved.add(item);
    return approved;
  }

  async rememberPlatformId(audio: OutAudio, platform: AudioPlatform, id: string): Promise<void> {
    await this.options.redis.hset(this.key('ids', audio.version), platform, id);
  }

  /** Approved recordings per language, counted over every item. */
  async coverage(): Promise<Record<Lang, { approved: number; recorded: number; total: number }>> {
    const out = {} as Record<Lang, { approved: number; recorded: number; total: number }>;
    for (const lang of this.langs) out[lang] = { approved: 0, recorded: 0, total: this.items.length };
    for (const cell of await this.matrix()) {
      if (cell.status === 'approved') out[cell.lang].approved++;
      if (cell.status === 'recorded') out[cell.lang].recorded++;
    }
    return out;
  }
}
