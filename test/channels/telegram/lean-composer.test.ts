// LeanComposer decides filters as grammY's Composer does: the same updates reach the same handlers in the same
// order, `next` goes on to what follows, handlers added to a filter's composer later count, async predicates too.
import { Composer, Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { LeanComposer } from '../../../src/channels/telegram/lean-composer.ts';
import {
  callbackUpdate,
  mediaUpdate,
  textUpdate,
  type UpdateBody,
  withUpdateId,
} from '../../support/bot-api-updates.ts';

const me = { id: 42, is_bot: true, first_name: 'Bot', username: 'kf_bot' } as UserFromGetMe;

/** The same tree of filters on either composer; `seen` records which handler took which update. */
function tree(composer: Composer<Context>, seen: string[]) {
  const direct = composer.chatType('private');
  composer.command('record', async (ctx, next) => {
    seen.push(`record:${ctx.match}`);
    if (ctx.match === 'pass') await next();
  });
  composer.callbackQuery(/^claim:/, () => void seen.push('claim'));
  composer.filter(
    async (ctx) => ctx.message?.text === 'async',
    () => void seen.push('async'),
  );
  composer.on('message:voice', () => void seen.push('voice'));
  // Added to the filter's composer after the filter was installed.
  direct.command('close', async (ctx, next) => {
    seen.push('close');
    if (ctx.match !== 'mine') await next();
  });
  direct.branch(
    (ctx) => ctx.message?.text === 'branch',
    () => void seen.push('branch:yes'),
    (_ctx, next) => next(),
  );
  // A layer that passes on, then one added to the composer `use` returned.
  composer
    .use(async (_ctx, next) => {
      seen.push('log');
      await next();
    })
    .drop(
      (ctx) => ctx.message?.text === 'dropped',
      (_ctx, next) => {
        seen.push('kept');
        return next();
      },
    );
  composer.use(() => void seen.push('conversation'));
}

async function trace(make: () => Composer<Context>, updates: UpdateBody[]): Promise<string[]> {
  const seen: string[] = [];
  const composer = make();
  tree(composer, seen);
  for (const [i, update] of updates.entries()) {
    seen.push(`-- ${i}`);
    await composer.middleware()(new Context(withUpdateId(update, i), {} as never, me), async () => undefined);
  }
  return seen;
}

describe('LeanComposer', () => {
  it('routes every kind of update exactly as grammY’s Composer', async () => {
    const updates = [
      textUpdate(1, 'bonjour'),
      textUpdate(1, '/record welcome bm'),
      textUpdate(1, '/record pass'),
      textUpdate(1, '/close mine'),
      textUpdate(1, '/close other'),
      textUpdate(-5, '/close mine', { chatType: 'group' }),
      callbackUpdate(1, 'claim:K-1'),
      callbackUpdate(1, 'menu'),
      textUpdate(2, 'async'),
      textUpdate(2, 'branch'),
      textUpdate(2, 'dropped'),
      textUpdate(-5, 'branch', { chatType: 'group' }),
      mediaUpdate(3, 'voice'),
    ];
    const expected = await trace(() => new Composer<Context>(), updates);
    expect(expected).toContain('record:welcome bm');
    expect(expected).toContain('branch:yes');
    expect(expected).toContain('close');
    expect(await trace(() => new LeanComposer<Context>(), updates)).toEqual(expected);
  });
});
