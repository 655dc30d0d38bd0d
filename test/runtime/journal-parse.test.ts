// A journal left pending by an older version is still carried out after an upgrade: effect types retired since
// (the `end` effect) are dropped, the others kept in order.
import { describe, expect, it } from 'vitest';
import { parseJournal } from '../../src/runtime/journal.ts';

describe('parseJournal', () => {
  it('drops effect types this version no longer has and keeps the rest in order', () => {
    const written = {
      v: 1,
      state: 'pending',
      id: 'j1',
      chat: { channel: 'console', id: 'p' },
      input: 'choice:3:yes',
      lang: 'fr',
      options: { capabilities: { buttons: false, maxText: 4000, voice: false }, wantsAudio: false },
      effects: [
        { type: 'refer', intakeId: 'i1', need: 'legal', region: 'bamako', fields: {} },
        { type: 'end' },
        { type: 'say', key: 'referral.sent' },
      ],
    };
    const journal = parseJournal(JSON.stringify(written));
    expect(journal?.state === 'pending' && journal.effects.map((e) => e.type)).toEqual(['refer', 'say']);
  });

  it('refuses what is not a journal', () => {
    expect(parseJournal('{"v":2,"state":"pending"}')).toBeNull();
    expect(parseJournal('not json')).toBeNull();
    expect(parseJournal(null)).toBeNull();
  });
});
