// What the person reads when staff propose to pass their case to another partner, and after they answer.
// Bambara falls back to French (as i18n does, bm -> fr) until a reviewed translation exists: a wrong machine
// draft of a consent question would be worse than a French one. These belong in locales/ once referral texts move
// to i18n (messages.ts is being moved there by the engine work).
import type { Lang } from '../engine/types.ts';

type Texts = {
  proposal: (no: string, from: string, to: string) => string[];
  declined: (no: string, from: string) => string;
};

const fr: Texts = {
  proposal: (no, from, to) => [
    `${from} propose de transmettre ton dossier ${no} à ${to}. Tu es d’accord ?`,
    `Ton dossier ne change de main que si tu dis oui. Réponds « oui » ou « non ».`,
  ],
  declined: (no, from) => `D’accord. Ton dossier ${no} reste chez ${from}.`,
};

const en: Texts = {
  proposal: (no, from, to) => [
    `${from} proposes to pass your case ${no} to ${to}. Do you agree?`,
    `Your case moves only if you say yes. Answer “yes” or “no”.`,
  ],
  declined: (no, from) => `All right. Your case ${no} stays with ${from}.`,
};

export function transferTexts(lang: Lang): Texts {
  return lang === 'en' ? en : fr;
}
