// The presenter fits answers to the channel's declared text limit (ChannelCapabilities.maxText), cutting at
// paragraph boundaries, never losing or reordering a word, and keeping the choices with the last part.
import { describe, expect, it } from 'vitest';
import type { OutMessage } from '../../src/ports/out-message.ts';
import { TEXT_ONLY } from '../../src/runtime/capabilities.ts';
import { fitMessages, shownLength, splitParagraph } from '../../src/runtime/fit-text.ts';
import { shippedBundle } from '../support/app.ts';

const words = (messages: OutMessage[]) =>
  messages
    .flatMap((m) => [...(m.title ? [m.title] : []), ...m.paragraphs])
    .join(' ')
    .split(/\s+/);

describe('fitting messages to a channel', () => {
  it('leaves a message that fits alone', () => {
    const message: OutMessage = { paragraphs: ['Bonjour.', 'Ça va ?'], choices: [{ id: 'a', label: 'Oui' }] };
    expect(fitMessages([message], 100)).toEqual([message]);
  });

  it('cuts at paragraph boundaries, the title on the first part, the choices and hint on the last', () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraphe ${i + 1} : ${'mot '.repeat(12).trim()}.`);
    const message: OutMessage = {
      title: 'Tes droits',
      paragraphs,
      choices: [
        { id: 'more', label: 'En savoir plus' },
        { id: 'menu', label: 'Menu' },
      ],
      version: 3,
      hint: 'Réponds 1 ou 2.',
    };
    const parts = fitMessages([message], 160);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(shownLength(part)).toBeLessThanOrEqual(160);
    // Whole paragraphs only, in order, none lost.
    expect(parts.flatMap((p) => p.paragraphs)).toEqual(paragraphs);
    expect(parts[0]!.title).toBe('Tes droits');
    expect(parts.slice(1).every((p) => p.title === undefined)).toBe(true);
    const last = parts.at(-1)!;
    expect(last.choices?.map((c) => c.id)).toEqual(['more', 'menu']);
    expect(last.version).toBe(3);
    expect(last.hint).toBe('Réponds 1 ou 2.');
    // The question asked stays above its choices.
    expect(last.paragraphs).toEqual([paragraphs.at(-1)]);
    expect(parts.slice(0, -1).every((p) => p.choices === undefined && p.hint === undefined)).toBe(true);
  });

  it('cuts one over-long paragraph at sentence ends, then spaces, never inside an emoji', () => {
    const sentences = Array.from({ length: 10 }, (_, i) => `Phrase numéro ${i + 1} du texte.`).join(' ');
    const pieces = splitParagraph(sentences, 60);
    expect(pieces.every((p) => p.length <= 60)).toBe(true);
    expect(pieces.every((p) => p.endsWith('.'))).toBe(true);
    expect(pieces.join(' ')).toBe(sentences);
    const emoji = '😀'.repeat(40);
    const cut = splitParagraph(emoji, 31);
    expect(cut.join('')).toBe(emoji);
    expect(cut.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
  });

  it('is what the presenter does with a channel that shows little in one message', async () => {
    const { presenter, content } = await shippedBundle();
    const faqId = [...content.faqs.keys()].find((id) => {
      const shown = presenter.present([{ type: 'show_faq', faqId: id, part: 'more' }], 'fr', {
        capabilities: TEXT_ONLY,
      });
      return shown.some((m) => shownLength(m) > 400);
    });
    expect(faqId).toBeDefined();
    const effects = [{ type: 'show_faq', faqId: faqId!, part: 'more' } as const];
    const wide = presenter.present(effects, 'fr', { capabilities: TEXT_ONLY });
    const narrow = presenter.present(effects, 'fr', { capabilities: { ...TEXT_ONLY, maxText: 400 } });
    expect(narrow.length).toBeGreaterThan(wide.length);
    for (const message of narrow) expect(shownLength(message)).toBeLessThanOrEqual(400);
    expect(words(narrow)).toEqual(words(wide));
  });
});
