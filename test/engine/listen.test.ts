// The engine's 🔊 decisions on the shipped flows (issue 18 point 4): offered only where what was said has an approved
// recording in the person's language, never once voice notes are on; the button and AUDIO play what was just said.
import { describe, expect, it } from 'vitest';
import { step } from '../../src/engine/step.ts';
import { type Effect, type Env, newSession, type Session } from '../../src/engine/types.ts';
import { shippedBundle } from '../support/app.ts';

async function setup(recordings: Env['recordings']) {
  const bundle = await shippedBundle();
  const env: Env = {
    lang: 'fr',
    content: bundle.catalog,
    channel: 'telegram',
    labelTexts: bundle.presenter.labelTexts,
    ...(recordings ? { recordings } : {}),
  };
  const atMenu: Session = { ...newSession(), lang: 'fr', flow: 'main', node: 'menu', askVersion: 4 };
  return {
    run: (session: Session, input: Parameters<typeof step>[2]) => step(bundle.flows, session, input, env),
    atMenu,
  };
}

const lastAsk = (effects: Effect[]) => [...effects].reverse().find((e) => e.type === 'ask');

describe('🔊 in the engine', () => {
  it('offers 🔊 with the menu when the menu is recorded in the person’s language', async () => {
    const { run, atMenu } = await setup({ fr: ['menu'] });
    const { session, effects } = run(atMenu, { kind: 'text', text: 'menu' });
    expect(lastAsk(effects)).toMatchObject({ key: 'main.menu', listen: true });
    expect(session.vars.audible).toBe('menu');
  });

  it('offers nothing for a recording in another language, or once voice notes are on', async () => {
    const other = await setup({ bm: ['menu'] });
    const none = other.run(other.atMenu, { kind: 'text', text: 'menu' });
    expect(lastAsk(none.effects)).not.toHaveProperty('listen');
    expect(none.session.vars.audible).toBeUndefined();

    const { run, atMenu } = await setup({ fr: ['menu'] });
    const on = run({ ...atMenu, vars: { audio: 'yes' } }, { kind: 'text', text: 'menu' });
    expect(lastAsk(on.effects)).not.toHaveProperty('listen');
    expect(on.session.vars.audible).toBe('menu');
  });

  it('🔊, even on an old keyboard, turns voice notes on and plays what was just said; TEXT turns them off', async () => {
    const { run, atMenu } = await setup({ fr: ['menu', 'welcome'] });
    const pressed = run({ ...atMenu, vars: { audible: 'menu' } }, { kind: 'choice', id: 'listen', version: 1 });
    expect(pressed.effects.filter((e) => e.type !== 'ask')).toEqual([
      { type: 'say', key: 'main.audio_on' },
      { type: 'play_audio', items: ['menu'] },
    ]);
    expect(lastAsk(pressed.effects)).toMatchObject({ key: 'main.menu' });
    expect(pressed.session.vars.audio).toBe('yes');

    const off = run(pressed.session, { kind: 'text', text: 'TEXT' });
    expect(off.effects[0]).toEqual({ type: 'say', key: 'main.audio_off' });
    expect(off.session.vars.audio).toBeUndefined();
    expect(lastAsk(off.effects)).toMatchObject({ key: 'main.menu', listen: true });
  });

  it('🔊 under the last message of a finished conversation turns voice notes on too', async () => {
    const { run, atMenu } = await setup({ fr: ['menu'] });
    const ended: Session = { ...atMenu, flow: undefined, node: undefined };
    const { session, effects } = run(ended, { kind: 'choice', id: 'listen', version: 2 });
    expect(effects[0]).toEqual({ type: 'say', key: 'main.audio_on' });
    expect(session.vars.audio).toBe('yes');
  });

  it('AUDIO without any recording says so and turns nothing on', async () => {
    const { run, atMenu } = await setup(undefined);
    const { session, effects } = run(atMenu, { kind: 'text', text: 'audio' });
    expect(effects[0]).toEqual({ type: 'say', key: 'main.audio_none' });
    expect(session.vars.audio).toBeUndefined();
  });
});
