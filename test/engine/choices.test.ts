import { describe, expect, it } from 'vitest';
import { recognizeChoice } from '../../src/engine/choices.ts';
import { normalizeText } from '../../src/engine/text.ts';

const menu = [
  { id: 'rights', texts: ['Connaître mes droits', 'Know my rights', 'Ne ka josariyaw dɔn'] },
  { id: 'question', texts: ['Poser une question', 'Ask a question'] },
  { id: 'near', texts: ["Trouver de l'aide près de moi", 'Find help near me'] },
];

describe('recognizeChoice', () => {
  it('takes the number of the choice, with or without punctuation', () => {
    expect(recognizeChoice('2', menu)).toEqual({ kind: 'match', id: 'question' });
    expect(recognizeChoice(' 3. ', menu)).toEqual({ kind: 'match', id: 'near' });
    expect(recognizeChoice('1)', menu)).toEqual({ kind: 'match', id: 'rights' });
  });

  it('takes emoji digits', () => {
    expect(recognizeChoice('2️⃣', menu)).toEqual({ kind: 'match', id: 'question' });
    expect(recognizeChoice('3⃣', menu)).toEqual({ kind: 'match', id: 'near' });
  });

  it('says when a number is out of range', () => {
    expect(recognizeChoice('9', menu)).toEqual({ kind: 'out_of_range' });
    expect(recognizeChoice('0', menu)).toEqual({ kind: 'out_of_range' });
  });

  it('takes the label in any language, ignoring case and accents', () => {
    expect(recognizeChoice('CONNAITRE MES DROITS', menu)).toEqual({ kind: 'match', id: 'rights' });
    expect(recognizeChoice('know my rights', menu)).toEqual({ kind: 'match', id: 'rights' });
    expect(recognizeChoice('ne ka josariyaw don', menu)).toEqual({ kind: 'match', id: 'rights' });
    expect(recognizeChoice('trouver de l aide pres de moi', menu)).toEqual({ kind: 'match', id: 'near' });
  });

  it('forgives one typo in a longer label and knows yes/no synonyms', () => {
    const yesNo = [
      { id: 'yes', texts: ['Oui'] },
      { id: 'no', texts: ['Non'] },
    ];
    expect(recognizeChoice('ok', yesNo)).toEqual({ kind: 'match', id: 'yes' });
    expect(recognizeChoice('Awɔ', yesNo)).toEqual({ kind: 'match', id: 'yes' });
    expect(recognizeChoice('ayi', yesNo)).toEqual({ kind: 'match', id: 'no' });
    expect(recognizeChoice('oui merci', yesNo)).toEqual({ kind: 'match', id: 'yes' });
    expect(recognizeChoice('Poser une questoin', menu)).toEqual({ kind: 'match', id: 'question' });
  });

  it('does not guess between two choices or on unrelated text', () => {
    expect(recognizeChoice('bonjour', menu)).toEqual({ kind: 'none' });
    expect(recognizeChoice('🙂', menu)).toEqual({ kind: 'none' });
    expect(recognizeChoice('', menu)).toEqual({ kind: 'none' });
  });

  it('in exact mode only whole labels count', () => {
    const extras = [{ id: 'skip', texts: ['Passer'] }];
    expect(recognizeChoice('passer', extras, true)).toEqual({ kind: 'match', id: 'skip' });
    expect(recognizeChoice('passer la frontiere', extras, true)).toEqual({ kind: 'none' });
  });
});

describe('normalizeText', () => {
  it('folds accents, Bambara letters, apostrophes and punctuation', () => {
    expect(normalizeText("  J'ai été EXPULSÉ !! ")).toBe('j ai ete expulse');
    expect(normalizeText('Ɲɛ ŋɔ')).toBe('nye ngo');
  });
});
