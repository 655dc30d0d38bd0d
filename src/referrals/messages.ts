// What the person reads about their case, per language. Plain strings for now (the lead may move them to i18n).
// The Bambara lines are machine drafts until a native speaker reviews them.
import type { Lang } from '../engine/types.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { CaseStatusT } from './case-model.ts';

type Texts = {
  created: (no: string) => string[];
  claimed: (no: string, partner: string) => string;
  closed: (no: string) => string;
  transferred: (no: string, partner: string) => string;
  staffReplyTitle: (no: string, partner: string) => string;
  status: (no: string, status: CaseStatusT, partner: string) => string;
  statusErased: (no: string) => string;
  unknownCase: (no: string) => string;
};

const fr: Texts = {
  created: (no) => [
    `Ta demande est enregistrée. Ton numéro de dossier : ${no}. Garde-le bien.`,
    'Une association va prendre ton dossier en charge. Tu recevras un message ici dès que quelqu’un s’en occupe. ' +
      `Pour savoir où il en est, envoie ${no}.`,
  ],
  claimed: (no, partner) => `Quelqu’un de ${partner} a ton dossier ${no}. Tu peux lui écrire ici : on lui transmet.`,
  closed: (no) => `Ton dossier ${no} est fermé. Si tu as encore besoin d’aide, écris « menu ».`,
  transferred: (no, partner) => `Ton dossier ${no} est passé à ${partner}, mieux placé pour t’aider.`,
  staffReplyTitle: (no, partner) => `${partner} (dossier ${no})`,
  status: (no, status, partner) =>
    status === 'waiting'
      ? `Ton dossier ${no} attend qu’une personne de ${partner} le prenne en charge.`
      : status === 'claimed'
        ? `Ton dossier ${no} est suivi par ${partner}.`
        : `Ton dossier ${no} est fermé.`,
  statusErased: (no) => `Tes données du dossier ${no} ont été effacées à ta demande.`,
  unknownCase: (no) => `Je ne trouve pas de dossier ${no} pour toi. Vérifie le numéro.`,
};

const en: Texts = {
  created: (no) => [
    `Your request is saved. Your case number: ${no}. Keep it safe.`,
    'An association will take up your case. You will get a message here as soon as someone has it. ' +
      `To know where it stands, send ${no}.`,
  ],
  claimed: (no, partner) => `Someone from ${partner} has your case ${no}. You can write to them here: we pass it on.`,
  closed: (no) => `Your case ${no} is closed. If you still need help, write "menu".`,
  transferred: (no, partner) => `Your case ${no} was passed to ${partner}, who can help you better.`,
  staffReplyTitle: (no, partner) => `${partner} (case ${no})`,
  status: (no, status, partner) =>
    status === 'waiting'
      ? `Your case ${no} is waiting for someone from ${partner} to take it up.`
      : status === 'claimed'
        ? `Your case ${no} is being handled by ${partner}.`
        : `Your case ${no} is closed.`,
  statusErased: (no) => `Your data for case ${no} was erased as you asked.`,
  unknownCase: (no) => `I cannot find a case ${no} for you. Please check the number.`,
};

const bm: Texts = {
  created: (no) => [
    `I ka ɲinini sɛbɛnna. I ka dosiye nimɔrɔ ye ${no} ye. A mara koɲuman.`,
    'Jɛkulu dɔ bɛna i ka dosiye ta. Ni mɔgɔ dɔ y’a ta, i bɛna cikan sɔrɔ yan. ' + `Walasa ka a cogoya dɔn, ${no} ci.`,
  ],
  claimed: (no, partner) => `${partner} ka mɔgɔ dɔ ye i ka dosiye ${no} ta. I bɛ se ka sɛbɛn a ma yan.`,
  closed: (no) => `I ka dosiye ${no} datugura. Ni i mago bɛ dɛmɛ wɛrɛ la, « menu » sɛbɛn.`,
  transferred: (no, partner) => `I ka dosiye ${no} dira ${partner} ma.`,
  staffReplyTitle: (no, partner) => `${partner} (dosiye ${no})`,
  status: (no, status, partner) =>
    status === 'waiting'
      ? `I ka dosiye ${no} bɛ ${partner} makɔnɔ.`
      : status === 'claimed'
        ? `${partner} bɛ i ka dosiye ${no} kan.`
        : `I ka dosiye ${no} datugura.`,
  statusErased: (no) => `I ka dosiye ${no} kunnafoniw jɔsira i ka ɲinini kɔ.`,
  unknownCase: (no) => `An ma dosiye ${no} sɔrɔ i tɔgɔ la. Nimɔrɔ lajɛ.`,
};

const TEXTS: Record<Lang, Texts> = { fr, en, bm };

export function personTexts(lang: Lang): Texts {
  return TEXTS[lang] ?? fr;
}

export function message(...paragraphs: string[]): OutMessage {
  return { paragraphs };
}
