// Writes a small, valid content folder into a temporary directory, with parts a test can override.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type FaqSpec = {
  id: string;
  /** Title in every language (default: "Titre <id>" etc.). */
  title?: string;
  /** Phrasings used in every language when `everyLanguage` (default: French only). */
  everyLanguage?: boolean;
  topics?: string[];
  reviewed?: string;
  contacts?: string[];
  questions?: string[];
  more?: boolean;
};
export type ContactSpec = {
  id: string;
  regions?: string[];
  needs?: string[];
  verified?: boolean;
  verifiedOn?: string;
  referrals?: boolean;
};

const MINIMAL_DISTRESS = ['suicide', 'danger', 'violence', 'injury', 'child_alone', 'detained', 'hunger_shelter']
  .map((c) => `${c}:\n  fr: [${c} fr]\n  en: [${c} en]\n  bm: [${c} bm]\n`)
  .join('');

export type EmergencySpec = { id: string; countries: string[]; distress?: string[] };

export async function writeContent(spec: {
  faqs: FaqSpec[];
  contacts?: ContactSpec[];
  emergency?: EmergencySpec[];
  synonyms?: string;
  /** content/distress.yaml (default: one phrase per category and language). */
  distress?: string;
}): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'kunnafoni-content-'));
  const dir = path.join(root, 'content');
  await mkdir(path.join(dir, 'faqs'), { recursive: true });
  await mkdir(path.join(dir, 'contacts'), { recursive: true });
  const list = (items: [string, string][]) =>
    items.map(([id, fr]) => `- id: ${id}\n  label:\n    fr: ${fr}\n    en: ${id}\n`).join('');
  await writeFile(
    path.join(dir, 'topics.yaml'),
    list([
      ['travel', 'Voyage'],
      ['work', 'Travail'],
    ]),
  );
  await writeFile(
    path.join(dir, 'regions.yaml'),
    list([
      ['bamako', 'Bamako'],
      ['kayes', 'Kayes'],
      ['abroad', 'Étranger'],
    ]),
  );
  await writeFile(
    path.join(dir, 'needs.yaml'),
    list([
      ['legal', 'Juridique'],
      ['health', 'Santé'],
      ['other', 'Autre'],
    ]),
  );
  await writeFile(path.join(dir, 'alert-topics.yaml'), list([['travel', 'Voyager']]));
  await writeFile(path.join(dir, 'distress.yaml'), spec.distress ?? MINIMAL_DISTRESS);
  await writeFile(path.join(dir, 'synonyms.yaml'), spec.synonyms ?? 'fr:\n  - [passeport, papiers]\n');
  const yamlList = (items: string[]) => `[${items.map((q) => JSON.stringify(q)).join(', ')}]`;
  for (const f of spec.faqs) {
    const questions = f.questions ?? [`question ${f.id}`];
    await writeFile(
      path.join(dir, 'faqs', `${f.id}.yaml`),
      [
        `id: ${f.id}`,
        `topics: [${(f.topics ?? ['travel']).join(', ')}]`,
        'regions: [all]',
        f.title
          ? `title:\n  fr: ${f.title}\n  en: ${f.title}\n  bm: ${f.title}`
          : `title:\n  fr: Titre ${f.id}\n  en: Title ${f.id}\n  bm: Kunnafoni ${f.id}`,
        `questions:\n  fr: ${yamlList(questions)}\n  en: ${f.everyLanguage ? yamlList(questions) : `[question ${f.id}]`}\n  bm: ${f.everyLanguage ? yamlList(questions) : `[ɲininkali ${f.id}]`}`,
        'answer:',
        `  fr:\n    text: Réponse ${f.id}.\n    status: draft${f.more ? '\n    more: Plus de détails.' : ''}`,
        `  en:\n    text: Answer ${f.id}.\n    status: draft`,
        `  bm:\n    text: Jaabi ${f.id}.\n    status: machine-draft`,
        'sources:\n  - title: Source\n    ref: ref',
        `reviewed: '${f.reviewed ?? '2026-11-01'}'`,
        'written_by: Équipe',
        `contacts: [${(f.contacts ?? []).join(', ')}]`,
        '',
      ].join('\n'),
    );
  }
  for (const e of spec.emergency ?? []) {
    await writeFile(
      path.join(dir, 'contacts', `${e.id}.yaml`),
      [
        `id: ${e.id}`,
        'kind: emergency',
        `name: Line ${e.id}`,
        'description:\n  fr: Ligne.',
        `countries: [${e.countries.join(', ')}]`,
        `distress: [${(e.distress ?? []).join(', ')}]`,
        'accepts_referrals: false',
        "channels:\n  - type: phone\n    value: '00'\n    verified: false",
        'verified:\n  status: false',
        'sources:\n  - title: Source\n    ref: ref',
        '',
      ].join('\n'),
    );
  }
  for (const c of spec.contacts ?? []) {
    await writeFile(
      path.join(dir, 'contacts', `${c.id}.yaml`),
      [
        `id: ${c.id}`,
        `name: Org ${c.id}`,
        'description:\n  fr: Elle aide.',
        `regions: [${(c.regions ?? ['bamako']).join(', ')}]`,
        `needs: [${(c.needs ?? ['legal']).join(', ')}]`,
        `accepts_referrals: ${c.referrals ?? true}`,
        `verified:\n  status: ${c.verified ?? false}${c.verifiedOn ? `\n  on: '${c.verifiedOn}'\n  by: Staff` : ''}`,
        '',
      ].join('\n'),
    );
  }
  return root;
}
