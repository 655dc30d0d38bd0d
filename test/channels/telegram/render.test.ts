import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALLBACK_DATA_MAX_BYTES, decodeChoice, encodeChoice } from '../../../src/channels/telegram/callback-data.ts';
import { escapeHtml } from '../../../src/channels/telegram/html.ts';
import { type PlannedCall, renderMessages, TELEGRAM_TEXT_LIMIT } from '../../../src/channels/telegram/render.ts';
import { outAudio } from '../../audio/support.ts';

/** What Telegram shows for an HTML text: tags removed, entities decoded. */
function shown(html: string): string {
  return html
    .replace(/<\/?(b|i)>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const texts = (calls: PlannedCall[]) => calls.flatMap((c) => (c.method === 'sendMessage' ? [c.html] : []));

describe('renderMessages', () => {
  it('escapes user and content text, and makes the title bold', () => {
    const plan = renderMessages([{ title: 'A & <B>', paragraphs: ['<b>&', 'x > y'] }]);
    expect(texts(plan.calls)).toEqual(['<b>A &amp; &lt;B&gt;</b>\n\n&lt;b&gt;&amp;\n\nx &gt; y']);
  });

  it('shows any text exactly as written', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(shown(escapeHtml(text))).toBe(text);
        expect(escapeHtml(text)).not.toMatch(/<|>|&(?!amp;|lt;|gt;)/);
      }),
    );
  });

  it('puts choices on an inline keyboard whose buttons carry the question version', () => {
    const plan = renderMessages([
      {
        paragraphs: ['Oui ou non ?'],
        choices: [
          { id: 'yes', label: 'Oui' },
          { id: 'no', label: 'Non' },
        ],
        version: 9,
      },
    ]);
    const [call] = plan.calls;
    expect(call).toEqual({
      method: 'sendMessage',
      html: 'Oui ou non ?',
      keyboard: {
        inline_keyboard: [
          [
            { text: 'Oui', callback_data: 'c:9:yes' },
            { text: 'Non', callback_data: 'c:9:no' },
          ],
        ],
      },
    });
  });

  it('keeps every callback_data within 64 bytes, and decodes what fits', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000_000 }),
        fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }),
        (version, id) => {
          const encoded = encodeChoice(version, id);
          expect(Buffer.byteLength(encoded.data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
          const decoded = decodeChoice(encoded.data);
          if (encoded.long) expect(decoded).toEqual({ kind: 'long', digest: encoded.long.digest, version });
          else expect(decoded).toEqual({ kind: 'choice', id, version });
        },
      ),
    );
  });

  it('shows the hint only when there are no buttons', () => {
    const withButtons = renderMessages([{ paragraphs: ['Q'], choices: [{ id: 'a', label: 'A' }], hint: 'Réponds 1' }]);
    expect(texts(withButtons.calls)).toEqual(['Q']);
    const without = renderMessages([{ paragraphs: ['Q'], hint: 'Écris ta ville' }]);
    expect(texts(without.calls)).toEqual(['Q\n\n<i>Écris ta ville</i>']);
  });

  it('splits long answers at paragraph boundaries without losing or cutting text', () => {
    const paragraph = fc.string({ minLength: 1, maxLength: 1500 }).filter((p) => p.trim() !== '');
    fc.assert(
      fc.property(fc.array(paragraph, { minLength: 1, maxLength: 12 }), (paragraphs) => {
        const plan = renderMessages([{ paragraphs, choices: [{ id: 'ok', label: 'OK' }], version: 1 }]);
        const parts = plan.calls as Extract<PlannedCall, { method: 'sendMessage' }>[];
        for (const part of parts) expect(shown(part.html).length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
        expect(parts.map((p) => shown(p.html)).join('\n\n')).toBe(paragraphs.join('\n\n'));
        expect(parts.map((p) => p.keyboard !== undefined)).toEqual(parts.map((_, i) => i === parts.length - 1));
      }),
      { numRuns: 200 },
    );
  });

  it('splits a single oversized paragraph at sentence ends, never inside an emoji', () => {
    const sentence = 'Tu as le droit de voir un avocat 🧑‍⚖️. ';
    const plan = renderMessages([{ paragraphs: [sentence.repeat(300)] }]);
    const parts = texts(plan.calls);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect(part.trimEnd().endsWith('🧑‍⚖️.')).toBe(true);
    }
  });

  it('sends a voice note after the text', () => {
    const audio = outAudio('/content/audio/faq.bm.ogg');
    const plan = renderMessages([{ paragraphs: ['Écoute :'], audio: [audio] }]);
    expect(plan.calls.map((c) => c.method)).toEqual(['sendMessage', 'sendVoice']);
    expect(plan.calls[1]).toEqual({ method: 'sendVoice', audio });
  });

  it('puts 🔊 on a row of its own, after the answers', () => {
    const plan = renderMessages([
      {
        paragraphs: ['Que veux-tu faire ?'],
        choices: [
          { id: 'a', label: 'A' },
          { id: 'b', label: 'B' },
        ],
        listen: { id: 'listen', label: '🔊 Écouter' },
        version: 3,
      },
    ]);
    const rows = (plan.calls[0] as { keyboard: { inline_keyboard: { text: string; callback_data: string }[][] } })
      .keyboard.inline_keyboard;
    expect(rows.map((r) => r.map((b) => b.text))).toEqual([['A', 'B'], ['🔊 Écouter']]);
    expect(rows[1]![0]!.callback_data).toContain('listen');
  });

  it('gives buttons a message to hang on even without text', () => {
    const plan = renderMessages([{ paragraphs: [], choices: [{ id: 'a', label: 'A' }], version: 1 }]);
    expect(texts(plan.calls)).toEqual(['…']);
  });
});
