import { describe, expect, it } from 'vitest';
import { escapeWhatsApp, renderForWhatsApp } from '../../../src/channels/whatsapp/render.ts';
import type { OutMessage } from '../../../src/ports/out-message.ts';
import { outAudio } from '../../audio/support.ts';

const WJ = '\u2060';
/** What the person reads: the text without the invisible joiners. */
const visible = (text: string) => text.replaceAll(WJ, '');

/** Spans WhatsApp would format: a marker at a word boundary, touching a visible character inside, closed likewise. */
function formattedSpans(text: string): string[] {
  const spans: string[] = [];
  const re = /(^|[\s.,;:!?()"'])([*_~])([^\s*_~\u2060](?:[^\n]*?[^\s\u2060])?)\2(?=$|[\s.,;:!?()"'])/gm;
  for (const m of text.matchAll(re)) spans.push(m[0].trim());
  return spans;
}

describe('escapeWhatsApp', () => {
  it('keeps markup characters from formatting while the text reads the same', () => {
    for (const raw of ['*5* étoiles', '~rien~ de plus', '_urgent_ svp', 'avant *gras* après']) {
      expect(formattedSpans(raw)).not.toEqual([]);
      const escaped = escapeWhatsApp(raw);
      expect(visible(escaped)).toBe(raw);
      expect(formattedSpans(escaped)).toEqual([]);
    }
  });

  it('wraps every marker in invisible joiners on both sides, backticks of code blocks too', () => {
    for (const raw of ['mon_nom_est', 'prix: 2*3*4', '```code```', '`x`', 'a ~ b * c _ d']) {
      const escaped = escapeWhatsApp(raw);
      expect(visible(escaped)).toBe(raw);
      expect(escaped.replace(/\u2060[*_~`]\u2060/g, '')).not.toMatch(/[*_~`]/);
    }
  });

  it('leaves links and e-mail addresses intact so they stay clickable', () => {
    const text = 'Écris à contact_ame@example.org ou va sur https://example.org/nos_droits_a_b';
    expect(escapeWhatsApp(text)).toBe(text);
  });

  it('keeps a line starting with ">" from becoming a quote', () => {
    expect(escapeWhatsApp('> 18 ans')).toBe(`${WJ}> 18 ans`);
  });
});

describe('renderForWhatsApp', () => {
  const menu: OutMessage = {
    title: 'Menu',
    paragraphs: ['Que veux-tu savoir ?'],
    choices: [
      { id: 'a', label: 'Mes droits' },
      { id: 'b', label: 'Contacts' },
      { id: 'c', label: 'Parler à une personne' },
    ],
    version: 3,
    hint: 'Réponds 1, 2 ou 3',
  };

  it('draws a menu as numbered lines followed by the hint, with the title in bold', () => {
    expect(renderForWhatsApp([menu])).toEqual([
      {
        kind: 'text',
        text: '*Menu*\n\nQue veux-tu savoir ?\n\n1. Mes droits\n2. Contacts\n3. Parler à une personne\n\nRéponds 1, 2 ou 3',
      },
    ]);
  });

  it('puts consecutive short messages into one WhatsApp message', () => {
    const out = renderForWhatsApp([{ paragraphs: ['Bienvenue.'] }, menu]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'text', text: expect.stringMatching(/^Bienvenue\.\n\n\*Menu\*/) });
  });

  it('escapes titles, paragraphs and labels but not its own bold', () => {
    const [out] = renderForWhatsApp([
      {
        title: 'Droits *importants*',
        paragraphs: ['a_b_c'],
        choices: [{ id: 'x', label: '~Oui~' }],
        hint: 'Réponds 1',
      },
    ]);
    const text = out?.kind === 'text' ? out.text : '';
    expect(text.startsWith('*Droits ')).toBe(true);
    expect(visible(text)).toBe('*Droits *importants**\n\na_b_c\n\n1. ~Oui~\n\nRéponds 1');
    expect(formattedSpans(text.slice(text.indexOf('\n')))).toEqual([]);
  });

  it('splits a long answer at paragraph boundaries, keeping every paragraph whole and the menu last', () => {
    const paragraphs = Array.from({ length: 8 }, (_, i) => `P${i} ${'mot '.repeat(70).trim()}.`);
    const out = renderForWhatsApp([{ title: 'Réponse', paragraphs }, menu]);
    expect(out.length).toBeGreaterThan(1);
    const texts = out.map((o) => (o.kind === 'text' ? o.text : ''));
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(1500);
    for (const p of paragraphs) expect(texts.some((t) => t.split('\n\n').includes(p))).toBe(true);
    expect(texts.at(-1)).toContain('3. Parler à une personne\n\nRéponds 1, 2 ou 3');
    expect(texts.join('\n\n')).toBe(['*Réponse*', ...paragraphs, renderMenuText()].join('\n\n'));
  });

  it('cuts a single paragraph longer than the limit at sentence ends, never inside an emoji', () => {
    const sentence = 'Tu as le droit de voir un avocat 👩🏾‍⚖️ et un interprète. ';
    const long = sentence.repeat(60).trim();
    const out = renderForWhatsApp([{ paragraphs: [long] }]);
    expect(out.length).toBeGreaterThan(1);
    for (const o of out) {
      const text = o.kind === 'text' ? o.text : '';
      expect(text.length).toBeLessThanOrEqual(1500);
      expect(text.endsWith('.')).toBe(true);
    }
    expect(out.map((o) => (o.kind === 'text' ? o.text : '')).join(' ')).toBe(long);
  });

  it('merges whole messages only: a question after a long answer stays together with its menu', () => {
    const answer: OutMessage = { paragraphs: [`${'Tu as des droits. '.repeat(80).trim()}`] };
    const out = renderForWhatsApp([answer, menu]);
    expect(out.map((o) => (o.kind === 'text' ? o.text : ''))).toEqual([answer.paragraphs[0], renderMenuText()]);
  });

  it('sends a voice note before the text of its message', () => {
    const out = renderForWhatsApp([
      { paragraphs: ['Bonjour.'] },
      { paragraphs: ['Réponse lue.'], audio: [outAudio('/a/b.ogg')] },
    ]);
    expect(out).toEqual([
      { kind: 'text', text: 'Bonjour.' },
      { kind: 'voice', path: '/a/b.ogg' },
      { kind: 'text', text: 'Réponse lue.' },
    ]);
  });

  function renderMenuText(): string {
    return '*Menu*\n\nQue veux-tu savoir ?\n\n1. Mes droits\n2. Contacts\n3. Parler à une personne\n\nRéponds 1, 2 ou 3';
  }
});
