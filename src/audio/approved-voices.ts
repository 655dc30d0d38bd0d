// The approved recordings as the runtime reads them at every turn: all languages at once, kept in memory for a few
// seconds (an approval in the console is heard within that time) instead of a Redis read per item per turn; once
// that is over, turns go on with the last read while a new one runs.
// A platform id learned by a channel (Telegram's file_id) goes to the library and into the copy kept here, so the
// next send re-uses it at once.
import { LANGUAGES, type Lang } from '../engine/types.ts';
import type { OutAudio } from '../ports/out-message.ts';
import type { AudioItem } from './items.ts';
import type { ApprovedAudio, ApprovedByLang, ApprovedVoices, AudioPlatform, VoiceRecordings } from './port.ts';

/** How long a read of the library is used before it is read again. */
export const APPROVED_CACHE_MS = 10_000;

export class CachedApprovedVoices implements ApprovedVoices {
  /** The last read, and when it was made. */
  private last: { at: number; value: ApprovedByLang } | null = null;
  private reading: Promise<ApprovedByLang> | null = null;

  constructor(
    private readonly library: VoiceRecordings & { readonly items: readonly AudioItem[] },
    private readonly options: { ttlMs?: number; now?: () => number } = {},
  ) {}

  /** The last read while it is fresh; an older one while a new read runs (no turn waits for it); else a read. */
  approved(): Promise<ApprovedByLang> {
    const now = (this.options.now ?? Date.now)();
    const last = this.last;
    if (last && now - last.at < (this.options.ttlMs ?? APPROVED_CACHE_MS)) return Promise.resolve(last.value);
    const reading = this.refresh(now);
    return last ? Promise.resolve(last.value) : reading;
  }

  async rememberPlatformId(audio: OutAudio, platform: AudioPlatform, id: string): Promise<void> {
    await this.library.rememberPlatformId(audio, platform, id);
    const entry = this.last?.value[audio.lang]?.[audio.item];
    if (entry && entry.version === audio.version) entry.platformIds[platform] = id;
  }

  private refresh(now: number): Promise<ApprovedByLang> {
    if (this.reading) return this.reading;
    // A failed read leaves the older one in use, if any; the next turn tries again.
    const reading = this.read().then((value) => {
      this.last = { at: now, value };
      return value;
    });
    this.reading = reading;
    reading.then(
      () => this.done(reading),
      () => this.done(reading),
    );
    return reading;
  }

  private done(reading: Promise<ApprovedByLang>): void {
    if (this.reading === reading) this.reading = null;
  }

  private async read(): Promise<ApprovedByLang> {
    const out = {} as Record<Lang, Record<string, ApprovedAudio>>;
    await Promise.all(
      LANGUAGES.map(async (lang) => {
        const found: Record<string, ApprovedAudio> = {};
        const all = await Promise.all(this.library.items.map((item) => this.library.approvedFor(item, lang)));
        for (const audio of all) if (audio) found[audio.item] = audio;
        out[lang] = found;
      }),
    );
    return out;
  }
}
