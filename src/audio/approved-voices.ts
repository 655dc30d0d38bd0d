// The approved recordings as the runtime reads them at every turn: all languages at once, kept in memory for a few
// seconds (an approval in the console is heard within that time) instead of a Redis read per item per turn.
// A platform id learned by a channel (Telegram's file_id) goes to the library and into the copy kept here, so the
// next send re-uses it at once.
import { LANGUAGES, type Lang } from '../engine/types.ts';
import type { OutAudio } from '../ports/out-message.ts';
import type { AudioItem } from './items.ts';
import type { ApprovedAudio, ApprovedByLang, ApprovedVoices, AudioPlatform, VoiceRecordings } from './port.ts';

/** How long a read of the library is used before it is read again. */
export const APPROVED_CACHE_MS = 10_000;

export class CachedApprovedVoices implements ApprovedVoices {
  private cached: { at: number; value: Promise<ApprovedByLang> } | null = null;

  constructor(
    private readonly library: VoiceRecordings & { readonly items: readonly AudioItem[] },
    private readonly options: { ttlMs?: number; now?: () => number } = {},
  ) {}

  approved(): Promise<ApprovedByLang> {
    const now = (this.options.now ?? Date.now)();
    const ttl = this.options.ttlMs ?? APPROVED_CACHE_MS;
    if (this.cached && now - this.cached.at < ttl) return this.cached.value;
    const value = this.read();
    this.cached = { at: now, value };
    // A failed read is not kept: the next turn tries again.
    value.catch(() => {
      if (this.cached?.value === value) this.cached = null;
    });
    return value;
  }

  async rememberPlatformId(audio: OutAudio, platform: AudioPlatform, id: string): Promise<void> {
    await this.library.rememberPlatformId(audio, platform, id);
    const known = await this.cached?.value.catch(() => null);
    const entry = known?.[audio.lang]?.[audio.item];
    if (entry && entry.version === audio.version) entry.platformIds[platform] = id;
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
