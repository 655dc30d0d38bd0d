import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_RETRIES, step } from '../../src/engine/step.ts';
import { type Effect, type Input, newSession, type Session } from '../../src/engine/types.ts';
import type { FlowSet } from '../../src/flows/schema.ts';
import { env, fixtureFlows } from './fixture.ts';

let flows: FlowSet;
beforeAll(async () => {
  flows = await fixtureFlows();
});

/** Runs inputs one after the other; returns the last session and each step's effects. */
function converse(inputs: Input[], session: Session = newSession()) {
  const all: Effect[][] = [];
  let s = session;
  for (const input of inputs) {
    const r = step(flows, s, input, env());
    all.push(r.effects);
    s = r.session;
  }
  return { session: s, effects: all };
}

const text = (t: string): Input => ({ kind: 'text', text: t });
const types = (effects: Effect[]) => effects.map((e) => e.type);

describe('step', () => {
  it('asks the language first, then shows the menu in that language', () => {
    const { session, effects } = converse([{ kind: 'start' }, text('2')]);
    expect(effects[0]).toEqual([
      {
        type: 'ask',
        key: 't.lang',
        choices: expect.arrayContaining([{ id: 'fr', label: { language: 'fr' } }]),
        version: 1,
      },
    ]);
    expect(effects[1]).toContainEqual({ type: 'set_language', lang: 'en' });
    expect(session.lang).toBe('en');
    expect(session.node).toBe('menu');
  });

  it('is pure: the same session and input give the same result, and the input session is untouched', () => {
    const start = converse([{ kind: 'start' }, text('1')]).session;
    const frozen = structuredClone(start);
    const a = step(flows, start, text('1'), env());
    const b = step(flows, start, text('1'), env());
    expect(a).toEqual(b);
    expect(start).toEqual(frozen);
  });

  it('re-asks on an answer that does not fit, then offers the menu after a few tries', () => {
    const { effects } = converse([{ kind: 'start' }, text('1'), text('2'), ...Array(MAX_RETRIES).fill(text('abc'))]);
    expect(effects[3]).toEqual([
      { type: 'say', key: 'error.invalid_number', params: { max: '1' } },
      expect.objectContaining({ type: 'ask', key: 't.age', typed: true }),
    ]);
    const last = effects[effects.length - 1]!;
    expect(last[0]).toEqual({ type: 'say', key: 'error.too_many_tries' });
    expect(last).toContainEqual(expect.objectContaining({ type: 'ask', key: 't.menu' }));
  });

  it('says a number is out of range', () => {
    const { effects } = converse([{ kind: 'start' }, text('1'), text('7')]);
    expect(effects[2]![0]).toEqual({ type: 'say', key: 'error.out_of_range', params: { max: '3' } });
  });

  it('answers a stale button press by showing the current question again', () => {
    const { session } = converse([{ kind: 'start' }, text('1')]);
    const r = step(flows, session, { kind: 'choice', id: 'form', version: session.askVersion - 1 }, env());
    expect(r.effects[0]).toEqual({ type: 'say', key: 'error.stale_button' });
    expect(r.session.node).toBe('menu');
    const fresh = step(flows, session, { kind: 'choice', id: 'form', version: session.askVersion }, env());
    expect(fresh.session.node).toBe('age');
  });

  it('collects typed answers, skips optional ones, and emits a referral with a stable intake id', () => {
    const { session, effects } = converse([{ kind: 'start' }, text('1'), text('form'), text('34'), text('passer')]);
    expect(effects[4]).toContainEqual({
      type: 'refer',
      intakeId: 'i1',
      need: 'legal',
      region: 'bamako',
      fields: { age: '34' },
    });
    // The conversation is over: nothing is pending.
    expect(session.flow).toBeUndefined();
    expect(session.node).toBeUndefined();
  });

  it('normalises a phone number and rejects a wrong one', () => {
    const { effects, session } = converse([
      { kind: 'start' },
      text('1'),
      text('2'),
      text('34'),
      text('12'),
      text('00223 70-11-22-33'),
    ]);
    expect(effects[4]![0]).toEqual({ type: 'say', key: 'error.invalid_phone', params: { max: '1' } });
    expect(effects[5]).toContainEqual(
      expect.objectContaining({ type: 'refer', fields: { age: '34', phone: '+22370112233' } }),
    );
    expect(session.intakes).toBe(1);
  });

  it('cancels a typed question with the cancel word, not with a number', () => {
    const { session } = converse([{ kind: 'start' }, text('1'), text('2'), text('Annuler')]);
    expect(session.node).toBe('menu');
  });

  it('sends free text at a menu to the FAQ search', () => {
    const { effects } = converse([{ kind: 'start' }, text('1'), text('on a pris mon passeport')]);
    expect(effects[2]).toContainEqual({ type: 'show_faq', faqId: 'alpha', part: 'short' });
  });

  it('answers media with a helpful message and the same question', () => {
    const { effects } = converse([{ kind: 'start' }, text('1'), { kind: 'media', media: 'voice' }]);
    expect(types(effects[2]!)).toEqual(['say', 'ask']);
    expect(effects[2]![0]).toEqual({ type: 'say', key: 'media.voice' });
  });

  it('global keywords work from any node, in every language', () => {
    const { session } = converse([{ kind: 'start' }, text('1'), text('2'), text('MENU')]);
    expect(session.node).toBe('menu');
    const erased = converse([{ kind: 'start' }, text('1'), text('2'), text('erase')]);
    expect(erased.effects[3]).toContainEqual({ type: 'erase_my_data' });
  });

  it('opens an FAQ from a deep link and falls back to the start for an unknown payload', () => {
    const known = { ...newSession(), lang: 'fr' as const };
    const linked = converse([{ kind: 'start', payload: 'faq-beta' }], known);
    expect(linked.effects[0]).toContainEqual({ type: 'show_faq', faqId: 'beta', part: 'short' });
    // On first contact the language is asked once, then the link opens.
    const first = converse([{ kind: 'start', payload: 'faq-beta' }, text('1')]);
    expect(first.effects[0]).toEqual([expect.objectContaining({ type: 'ask', key: 't.lang' })]);
    expect(first.effects[1]).toContainEqual({ type: 'show_faq', faqId: 'beta', part: 'short' });
    const unknown = converse([{ kind: 'start', payload: 'faq-nope' }]);
    expect(unknown.effects[0]).toEqual([expect.objectContaining({ type: 'ask', key: 't.lang' })]);
  });

  it('stops a loop that never waits and shows the menu instead of spinning', () => {
    const { effects, session } = converse([{ kind: 'start' }, text('1'), text('3')]);
    expect(effects[2]).toContainEqual(expect.objectContaining({ type: 'flow_error', code: 'loop' }));
    expect(effects[2]).toContainEqual({ type: 'say', key: 'error.generic' });
    expect(session.node).toBe('menu');
  });

  it('recovers a session that points at a node that no longer exists', () => {
    const stale: Session = { ...newSession(), lang: 'fr', flow: 'main', node: 'removed-node', askVersion: 4 };
    const r = step(flows, stale, text('1'), env());
    expect(r.effects[0]).toEqual({ type: 'flow_error', code: 'missing_node', detail: 'main:removed-node' });
    expect(r.effects[1]).toEqual({ type: 'say', key: 'error.flow_changed' });
    expect(r.session.node).toBe('menu');
  });

  it('greets a returning person whose session expired when they press an old button', () => {
    const r = step(flows, newSession(), { kind: 'choice', id: 'faq', version: 9 }, env());
    expect(r.effects[0]).toEqual({ type: 'say', key: 'session.expired' });
    expect(r.effects[1]).toEqual(expect.objectContaining({ type: 'ask', key: 't.lang' }));
  });

  it('rejects overly long text without losing the question', () => {
    const { effects } = converse([{ kind: 'start' }, text('1'), text('x'.repeat(5000))]);
    expect(effects[2]![0]).toEqual({ type: 'say', key: 'error.too_long', params: { max: '1000' } });
    expect(effects[2]![1]).toEqual(expect.objectContaining({ type: 'ask', key: 't.menu' }));
  });
});
