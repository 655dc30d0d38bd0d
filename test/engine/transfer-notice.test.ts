// The transfer question in the shipped flows, engine only (pure): put by the `transfer_proposed` notice when the
// fact is there, answered by words of that question only, then back to where the person was.
import { beforeAll, expect, test } from 'vitest';
import type { Bundle } from '../../src/app/bundle.ts';
import { step } from '../../src/engine/step.ts';
import { type Env, type Facts, type Input, newSession, type Session } from '../../src/engine/types.ts';
import { shippedBundle } from '../support/app.ts';

let bundle: Bundle;
beforeAll(async () => {
  bundle = await shippedBundle();
});

const PROPOSAL: Facts = {
  openCase: { no: 'K-7F3Q', status: 'claimed', partner: 'ame', heldByStaff: true },
  hasAlerts: false,
  transferProposal: { no: 'K-7F3Q', from: 'ame', to: 'aracem', lang: 'bm' },
};

function envWith(facts: Facts): Env {
  return {
    lang: 'fr',
    content: bundle.catalog,
    channel: 'whatsapp',
    facts,
    labelTexts: bundle.presenter.labelTexts,
  };
}

const at = (flow: string, node: string, lang: 'fr' | 'bm' = 'fr'): Session => ({
  ...newSession(),
  lang,
  flow,
  node,
  askVersion: 4,
});
const notice: Input = { kind: 'notice', notice: 'transfer_proposed' };

test('without a pending proposal, a notice says nothing and changes nothing', () => {
  const before = at('main', 'menu');
  const { session, effects } = step(bundle.flows, before, notice, envWith({ ...PROPOSAL, transferProposal: null }));
  expect(effects).toEqual([]);
  expect(session).toEqual(before);
});

test('the question interrupts a request, and the person comes back to it after answering', () => {
  const asked = step(bundle.flows, at('referral', 'description'), notice, envWith(PROPOSAL));
  expect(asked.effects).toEqual([
    expect.objectContaining({
      type: 'ask',
      key: 'referral.transfer_question',
      choices: [
        { id: 'yes', label: { key: 'referral.transfer_yes' } },
        { id: 'no', label: { key: 'referral.transfer_no' } },
      ],
    }),
  ]);
  expect(asked.session).toMatchObject({
    flow: 'transfer',
    node: 'ask',
    back: { flow: 'referral', node: 'description' },
  });
  const answered = step(bundle.flows, asked.session, { kind: 'text', text: 'non' }, envWith(PROPOSAL));
  expect(answered.effects[0]).toEqual({ type: 'answer_transfer', no: 'K-7F3Q', accept: false });
  expect(answered.effects.at(-1)).toMatchObject({ type: 'ask', key: 'referral.ask_description' });
  expect(answered.session).toMatchObject({ flow: 'referral', node: 'description' });
  expect(answered.session.vars.transfer_case).toBeUndefined();
});

test('a forgotten conversation is asked in the case language; "2" and "ɔwɔ" answer there', () => {
  const asked = step(bundle.flows, newSession(), notice, envWith(PROPOSAL));
  expect(asked.effects[0]).toEqual({ type: 'set_language', lang: 'bm' });
  expect(asked.session.lang).toBe('bm');
  const two = step(bundle.flows, asked.session, { kind: 'text', text: '2' }, envWith(PROPOSAL));
  expect(two.effects[0]).toEqual({ type: 'answer_transfer', no: 'K-7F3Q', accept: false });
  const yes = step(bundle.flows, asked.session, { kind: 'text', text: 'ɔwɔ' }, envWith(PROPOSAL));
  expect(yes.effects[0]).toEqual({ type: 'answer_transfer', no: 'K-7F3Q', accept: true });
});

test('"oui" elsewhere is never taken for a consent, even with a proposal pending', () => {
  for (const before of [at('main', 'menu'), at('main', 'relay-wait'), newSession()]) {
    const { effects } = step(bundle.flows, before, { kind: 'text', text: 'oui' }, envWith(PROPOSAL));
    expect(effects.map((e) => e.type)).not.toContain('answer_transfer');
  }
});
