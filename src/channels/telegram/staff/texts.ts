// What the bot writes to partner staff on Telegram (staff group and private chat), in French or English.
// Summaries carry no personal data; only the private message to the claimer shows what the person gave.
import {
  type CaseSummary,
  type OpFailure,
  OUTCOMES,
  type OutcomeT,
  type PersonalData,
} from '../../../ports/staff-cases.ts';

export type StaffLang = 'fr' | 'en';

const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const hours = (ms: number) => Math.floor(ms / 3_600_000);

type Texts = {
  claimButton: string;
  waiting: Record<'new' | 'released' | 'transferred' | 'escalated', string>;
  summary: (c: CaseSummary, label: (kind: 'need' | 'region', id: string) => string) => string;
  reminder: (no: string, waitedMs: number) => string;
  /** Nobody claimed the case in time: the person is asked about `to` (`asked`), or could not be: it stays. */
  notClaimedInTime: (no: string, to: string, asked: boolean) => string;
  transferAnswer: (no: string, to: string, accepted: boolean) => string;
  claimedBy: (name: string) => string;
  closedBy: (outcome: OutcomeT, name: string) => string;
  replyOverdue: (no: string) => string;
  movedTo: (partner: string) => string;
  telegramStaff: (id: string) => string;
  claimedAnswer: (no: string) => string;
  startPrivateChat: (bot: string) => string;
  notStaffGroup: string;
  failure: Record<OpFailure, string>;
  details: (c: CaseSummary, personal: PersonalData | null) => string[];
  help: (no: string) => string;
  personMessage: (no: string, text: string) => string;
  erased: (no: string) => string;
  sent: (no: string) => string;
  released: (no: string) => string;
  transferred: (no: string, partner: string) => string;
  closed: (no: string, outcome: OutcomeT) => string;
  usage: Record<'reply' | 'close' | 'release' | 'transfer', string>;
  myCases: (nos: string[]) => string;
};

const fr: Texts = {
  claimButton: 'Prendre en charge',
  waiting: {
    new: 'Nouveau dossier',
    released: 'Dossier remis en attente',
    transferred: 'Dossier transféré vers vous',
    escalated: 'Dossier non pris à temps, confié à vous',
  },
  summary: (c, label) =>
    [
      ...(c.urgent ? ['URGENT : à prendre en charge tout de suite.'] : []),
      `${c.no} · besoin : ${label('need', c.need)} · région : ${label('region', c.region)}`,
      `Langue : ${c.lang} · ${c.channel} · reçu le ${when(c.createdAt)}`,
      ...(c.erased ? ['Données effacées par la personne.'] : []),
    ].join('\n'),
  reminder: (no, ms) => `Rappel : ${no} attend depuis ${hours(ms)} h. Qui peut le prendre ?`,
  notClaimedInTime: (no, to, asked) =>
    asked
      ? `${no} n'a pas été pris à temps : on demande à la personne s'il peut passer à ${to}. Il reste chez vous tant qu'elle n'a pas dit oui.`
      : `${no} n'a pas été pris à temps et la personne n'a pas pu être jointe : il reste chez vous. Qui peut le prendre ?`,
  transferAnswer: (no, to, accepted) =>
    accepted
      ? `${no} : la personne a accepté le transfert ; le dossier est maintenant chez ${to}.`
      : `${no} : la personne a refusé le transfert vers ${to} ; le dossier reste chez vous.`,
  claimedBy: (name) => `Pris en charge par ${name}.`,
  closedBy: (outcome, name) => `Fermé par ${name} (${outcome}).`,
  replyOverdue: (no) =>
    `${no} : la personne attend toujours un premier message. Écrivez-lui : /reply ${no} votre texte`,
  movedTo: (partner) => `Transféré à ${partner} avec l’accord de la personne.`,
  telegramStaff: (id) => `Telegram n°${id}`,
  claimedAnswer: (no) => `${no} est à vous. Les détails sont dans votre conversation privée avec le bot.`,
  startPrivateChat: (bot) =>
    `Ouvrez d'abord une conversation privée avec @${bot} (bouton Démarrer), puis appuyez de nouveau.`,
  notStaffGroup: "Ce groupe n'est pas un groupe d'équipe.",
  failure: {
    not_found: 'Dossier introuvable.',
    taken: 'Déjà pris par quelqu’un d’autre.',
    closed: 'Ce dossier est fermé.',
    forbidden: "Ce dossier n'est pas (ou plus) à vous.",
    not_claimed: "Ce dossier n'est pris en charge par personne.",
    same_partner: 'Le dossier est déjà chez ce partenaire.',
    unknown_partner: 'Partenaire inconnu.',
    erased: 'La personne a effacé ses données : impossible de lui écrire.',
    stale: 'Le dossier a changé entre-temps.',
    send_failed: "Le message n'a pas pu être remis à la personne. Réessayez plus tard.",
    waiting_for_person:
      'En attente que la personne écrive de nouveau : le message lui sera remis dès qu’elle écrira (WhatsApp, plus de 24 h).',
    invalid: 'Commande incomplète.',
  },
  details: (c, p) => [
    `Dossier ${c.no} — vous l'avez pris en charge.`,
    ...(p
      ? [
          `Nom ou surnom : ${p.nickname ?? '(non donné)'}`,
          `Téléphone : ${p.phone ?? '(non donné)'}`,
          `Situation : ${p.description ?? '(non décrite)'}`,
          ...(p.media.length > 0 ? [`Pièces jointes : ${p.media.length} (${p.media.join(', ')})`] : []),
          ...Object.entries(p.other).map(([k, v]) => `${k} : ${v}`),
        ]
      : ['Données effacées par la personne.']),
    `Besoin : ${c.need} · région : ${c.region} · langue : ${c.lang} · ${c.channel}`,
  ],
  help: (no) =>
    [
      'Pour écrire à la personne : répondez à ce message, ou /reply ' + no + ' votre texte.',
      `Fermer : /close ${no} <issue> [note] — issues : ${OUTCOMES.join(', ')}.`,
      `Remettre en attente : /release ${no} · Transférer : /transfer ${no} <partenaire>.`,
    ].join('\n'),
  personMessage: (no, text) =>
    `${no} — message de la personne :\n\n${text}\n\n(Répondez à ce message pour lui répondre.)`,
  erased: (no) => `${no} : données effacées par la personne.`,
  sent: (no) => `Envoyé (${no}).`,
  released: (no) => `${no} est remis en attente.`,
  transferred: (no, partner) =>
    `${no} : transfert vers ${partner} proposé à la personne. Le dossier change de main seulement si elle accepte.`,
  closed: (no, outcome) => `${no} est fermé (${outcome}).`,
  usage: {
    reply: 'Usage : /reply K-XXXX votre texte',
    close: `Usage : /close K-XXXX <issue> [note] — issues : ${OUTCOMES.join(', ')}`,
    release: 'Usage : /release K-XXXX',
    transfer: 'Usage : /transfer K-XXXX <partenaire>',
  },
  myCases: (nos) => (nos.length ? `Vos dossiers : ${nos.join(', ')}` : "Vous n'avez aucun dossier en cours."),
};

const en: Texts = {
  claimButton: 'Claim',
  waiting: {
    new: 'New case',
    released: 'Case back in the queue',
    transferred: 'Case transferred to you',
    escalated: 'Case not claimed in time, now yours',
  },
  summary: (c, label) =>
    [
      ...(c.urgent ? ['URGENT: to be taken at once.'] : []),
      `${c.no} · need: ${label('need', c.need)} · region: ${label('region', c.region)}`,
      `Language: ${c.lang} · ${c.channel} · received ${when(c.createdAt)}`,
      ...(c.erased ? ['Erased by the person.'] : []),
    ].join('\n'),
  reminder: (no, ms) => `Reminder: ${no} has waited ${hours(ms)} h. Who can take it?`,
  notClaimedInTime: (no, to, asked) =>
    asked
      ? `${no} was not claimed in time: the person is asked whether it may go to ${to}. It stays with you unless they say yes.`
      : `${no} was not claimed in time and the person could not be reached: it stays with you. Who can take it?`,
  transferAnswer: (no, to, accepted) =>
    accepted
      ? `${no}: the person agreed to the transfer; the case is now with ${to}.`
      : `${no}: the person declined the transfer to ${to}; the case stays with you.`,
  claimedBy: (name) => `Claimed by ${name}.`,
  closedBy: (outcome, name) => `Closed by ${name} (${outcome}).`,
  replyOverdue: (no) => `${no}: the person is still waiting for a first message. Write to them: /reply ${no} your text`,
  movedTo: (partner) => `Transferred to ${partner} with the person's consent.`,
  telegramStaff: (id) => `Telegram #${id}`,
  claimedAnswer: (no) => `${no} is yours. The details are in your private chat with the bot.`,
  startPrivateChat: (bot) => `First open a private chat with @${bot} (Start button), then press again.`,
  notStaffGroup: 'This group is not a staff group.',
  failure: {
    not_found: 'Case not found.',
    taken: 'Already taken by someone else.',
    closed: 'This case is closed.',
    forbidden: 'This case is not (or no longer) yours.',
    not_claimed: 'Nobody has claimed this case.',
    same_partner: 'The case is already with that partner.',
    unknown_partner: 'Unknown partner.',
    erased: 'The person erased their data: they cannot be reached.',
    stale: 'The case changed meanwhile.',
    send_failed: 'The message could not reach the person. Try again later.',
    waiting_for_person:
      'Waiting for the person to write again: the message goes out as soon as they write (WhatsApp, more than 24 hours).',
    invalid: 'Incomplete command.',
  },
  details: (c, p) => [
    `Case ${c.no} — you claimed it.`,
    ...(p
      ? [
          `Name or nickname: ${p.nickname ?? '(not given)'}`,
          `Phone: ${p.phone ?? '(not given)'}`,
          `Situation: ${p.description ?? '(not described)'}`,
          ...(p.media.length > 0 ? [`Attachments: ${p.media.length} (${p.media.join(', ')})`] : []),
          ...Object.entries(p.other).map(([k, v]) => `${k}: ${v}`),
        ]
      : ['Erased by the person.']),
    `Need: ${c.need} · region: ${c.region} · language: ${c.lang} · ${c.channel}`,
  ],
  help: (no) =>
    [
      `To write to the person: reply to this message, or /reply ${no} your text.`,
      `Close: /close ${no} <outcome> [note] — outcomes: ${OUTCOMES.join(', ')}.`,
      `Back to the queue: /release ${no} · Transfer: /transfer ${no} <partner>.`,
    ].join('\n'),
  personMessage: (no, text) => `${no} — message from the person:\n\n${text}\n\n(Reply to this message to answer.)`,
  erased: (no) => `${no}: erased by the person.`,
  sent: (no) => `Sent (${no}).`,
  released: (no) => `${no} is back in the queue.`,
  transferred: (no, partner) =>
    `${no}: transfer to ${partner} proposed to the person. The case moves only if they agree.`,
  closed: (no, outcome) => `${no} is closed (${outcome}).`,
  usage: {
    reply: 'Usage: /reply K-XXXX your text',
    close: `Usage: /close K-XXXX <outcome> [note] — outcomes: ${OUTCOMES.join(', ')}`,
    release: 'Usage: /release K-XXXX',
    transfer: 'Usage: /transfer K-XXXX <partner>',
  },
  myCases: (nos) => (nos.length ? `Your cases: ${nos.join(', ')}` : 'You have no open case.'),
};

export function staffTexts(lang: StaffLang): Texts {
  return lang === 'en' ? en : fr;
}
