// Reply templates of a partner, per language, edited by its administrators in the console (/templates) and offered
// on a case page in the person's language (French when that language has no text).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';

export const TEMPLATE_LANGS = ['fr', 'en', 'bm'] as const;
export type TemplateLang = (typeof TEMPLATE_LANGS)[number];
export type ReplyTemplate = { id: string; title: string; text: Partial<Record<TemplateLang, string>> };

export const MAX_TEMPLATES = 50;
const ID = /^[a-z0-9]{8}$/;

export class TemplateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private key(partner: string): string {
    return this.keys.key('staff', 'templates', partner);
  }

  async list(partner: string): Promise<ReplyTemplate[]> {
    const hash = await this.redis.hgetall(this.key(partner));
    return Object.values(hash)
      .flatMap((v) => {
        try {
          return [JSON.parse(v) as ReplyTemplate];
        } catch {
          return [];
        }
      })
      .sort((a, b) => a.title.localeCompare(b.title));
  }

  async get(partner: string, id: string): Promise<ReplyTemplate | null> {
    if (!ID.test(id)) return null;
    const v = await this.redis.hget(this.key(partner), id);
    return v ? (JSON.parse(v) as ReplyTemplate) : null;
  }

  /** Saves a new template (no id) or replaces one; false when the partner already has the most allowed. */
  async save(partner: string, template: Omit<ReplyTemplate, 'id'> & { id?: string }): Promise<boolean> {
    const id = template.id && ID.test(template.id) ? template.id : randomBytes(6).toString('hex').slice(0, 8);
    if (!template.id && (await this.redis.hlen(this.key(partner))) >= MAX_TEMPLATES) return false;
    await this.redis.hset(this.key(partner), id, JSON.stringify({ ...template, id }));
    return true;
  }

  async remove(partner: string, id: string): Promise<void> {
    if (ID.test(id)) await this.redis.hdel(this.key(partner), id);
  }
}

/** The template's text for a person writing in `lang`. */
export function templateText(template: ReplyTemplate, lang: string): string {
  return template.text[lang as TemplateLang] || template.text.fr || template.text.en || '';
}
