// `/record <item> <lang>` for partner staff (issue 18): in a staff group (REFERRAL_STAFF_GROUPS), or in a private chat
// with the bot from a member of one. The next voice note from that person within 10 minutes becomes the recording
// of that item (kept as Telegram sent it: OGG/Opus), status "recorded" until an admin approves it in the console.
// In a group the bot sees only commands and replies to itself (privacy mode), so the voice note is sent as a reply.
// Install before the conversation middleware: everything else is passed on with `next()`.
import type { Composer, Context } from 'grammy';
import type { Redis } from 'ioredis';
import { AudioError, seconds } from '../../audio/convert.ts';
import { AUDIO_LANGS, type AudioItem, isLang, parseItem } from '../../audio/items.ts';
import type { AudioLibrary } from '../../audio/library.ts';
import { audioErrorInFrench } from '../../audio/texts-fr.ts';
import type { Lang } from '../../engine/types.ts';
import type { RedisKeys } from '../../infra/keys.ts';
import type { Logger } from '../../infra/logger.ts';
import { LeanComposer } from './lean-composer.ts';

export type RecordComposerOptions = {
  library: AudioLibrary;
  /** Partner id -> staff group chat id (REFERRAL_STAFF_GROUPS). */
  groups: ReadonlyMap<string, number>;
  redis: Redis;
  keys: RedisKeys;
  logger?: Logger;
  /** How long a /record waits for its voice note (default 600 s). */
  waitSeconds?: number;
};

const MEMBER_STATUSES = new Set(['creator', 'administrator', 'member']);

export const recordTexts = {
  usage: (items: readonly AudioItem[]) =>
    `Utilisation : /record <élément> <langue>, par exemple /record welcome bm\n` +
    `Langues : ${AUDIO_LANGS.join(', ')}\nÉléments : ${items.join(', ')}`,
  unknownItem: (given: string, items: readonly AudioItem[]) =>
    `« ${given} » n’est pas un élément enregistrable. Éléments : ${items.join(', ')}`,
  unknownLang: (given: string) => `« ${given} » n’est pas une langue du bot. Langues : ${AUDIO_LANGS.join(', ')}`,
  waiting: (item: AudioItem, lang: Lang, inGroup: boolean) =>
    `Envoyez maintenant le message vocal pour ${item} (${lang}), dans les 10 minutes` +
    (inGroup ? ', en réponse à ce message.' : '.'),
  recorded: (item: AudioItem, lang: Lang, ms: number) =>
    `Enregistré : ${item} (${lang}), ${String(seconds(ms)).replace('.', ',')} s. ` +
    'Un administrateur l’approuve dans la console (page Audio) avant que les gens l’entendent.',
  failed: 'Le message vocal n’a pas pu être enregistré. Réessayez avec /record.',
};

/** The staff id kept with a recording: a pseudonym of the Telegram account, never its id. */
export function telegramRecorder(keys: RedisKeys, userId: number): string {
  return `telegram:${keys.person({ channel: 'telegram', id: String(userId) })}`;
}

export function createRecordComposer(options: RecordComposerOptions): Composer<Context> {
  const { library, redis, keys } = options;
  const staffGroups = new Set(options.groups.values());
  // Lean: its filters cost nothing per update that is not a /record or a voice note (lean-composer.ts).
  const composer = new LeanComposer<Context>();
  const pendingKey = (userId: number) =>
    keys.key('audio', 'pending', keys.person({ channel: 'telegram', id: String(userId) }));

  /** A staff group, or a private chat with a member of one (group membership is what links an account). */
  async function isStaff(ctx: Context): Promise<boolean> {
    const chat = ctx.chat;
    const userId = ctx.from?.id;
    if (!chat || userId === undefined) return false;
    if (staffGroups.has(chat.id)) return true;
    if (chat.type !== 'private') return false;
    for (const group of staffGroups) {
      const member = await ctx.api.getChatMember(group, userId).catch(() => null);
      if (member && MEMBER_STATUSES.has(member.status)) return true;
    }
    return false;
  }

  composer.command('record', async (ctx, next) => {
    if (!ctx.from || !(await isStaff(ctx))) return next();
    const [givenItem, givenLang, ...extra] = ctx.match.trim().split(/\s+/).filter(Boolean);
    if (!givenItem || !givenLang || extra.length > 0) return void (await ctx.reply(recordTexts.usage(library.items)));
    const item = parseItem(givenItem, library.items);
    if (!item) return void (await ctx.reply(recordTexts.unknownItem(givenItem, library.items)));
    const lang = givenLang.toLowerCase();
    if (!isLang(lang)) return void (await ctx.reply(recordTexts.unknownLang(givenLang)));
    await redis.set(pendingKey(ctx.from.id), `${item} ${lang}`, 'EX', options.waitSeconds ?? 600);
    await ctx.reply(recordTexts.waiting(item, lang, ctx.chat.type !== 'private'), {
      reply_parameters: { message_id: ctx.msg.message_id },
    });
  });

  composer.on('message:voice', async (ctx, next) => {
    const pending = await redis.getdel(pendingKey(ctx.from.id));
    if (!pending) return next();
    const [item, lang] = pending.split(' ') as [AudioItem, Lang];
    const voice = ctx.message.voice;
    try {
      if ((voice.file_size ?? 0) > library.limits.maxInputBytes) {
        throw new AudioError('The file is too large ({size} MB); the most is {max} MB.', {
          size: Math.ceil((voice.file_size ?? 0) / 1024 / 1024),
          max: Math.round(library.limits.maxInputBytes / 1024 / 1024),
        });
      }
      const bytes = await download(ctx, voice.file_id);
      const recording = await library.saveVoiceNote(item, lang, bytes, telegramRecorder(keys, ctx.from.id), {
        telegram: voice.file_id,
      });
      options.logger?.info({ item, lang, durationMs: recording.durationMs }, 'audio: recorded from Telegram');
      await ctx.reply(recordTexts.recorded(item, lang, recording.durationMs));
    } catch (err) {
      if (err instanceof AudioError) return void (await ctx.reply(`${audioErrorInFrench(err)} ${recordTexts.failed}`));
      options.logger?.warn({ item, lang, err: err instanceof Error ? err.name : 'Error' }, 'audio: recording failed');
      await ctx.reply(recordTexts.failed);
    }
  });

  return composer;
}

/** The file's bytes through the Bot API's file download (the same API root as every call). */
async function download(ctx: Context, fileId: string): Promise<Buffer> {
  const file = await ctx.api.getFile(fileId);
  if (!file.file_path) throw new Error('Telegram gave no file path');
  const root = ctx.api.options?.apiRoot ?? 'https://api.telegram.org';
  const response = await fetch(`${root}/file/bot${ctx.api.token}/${file.file_path}`);
  if (!response.ok) throw new Error(`file download answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}
