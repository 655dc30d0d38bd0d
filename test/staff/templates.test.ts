// Reply templates: a partner's administrators write them per language; staff start a reply from one, in the
// person's language; other partners and staff cannot edit them.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Client, type Console, createConsole, location } from './support/console.ts';

let k: Console;
beforeEach(async () => {
  k = await createConsole();
});
afterEach(async () => {
  await k.close();
});

test('an admin writes a template; on a case the reply box starts from it in the person’s language', async () => {
  const admin = await k.account('Directrice', 'ame', 'admin');
  const awa = await k.account('Awa', 'ame');
  const boss = new Client(k.app, undefined, '10.5.0.1');
  await boss.login(admin.id);
  await boss.page('/templates');
  const saved = await boss.post('/templates', {
    title: 'Rendez-vous',
    text_fr: 'Bonjour, venez au local demain à 9 h.',
    text_en: 'Hello, come to our office tomorrow at 9.',
  });
  expect(location(saved)).toBe('/templates');
  expect((await boss.page('/templates')).html).toContain('Rendez-vous');
  expect(location(await boss.post('/templates', { title: 'Sans texte' }))).toBe('/templates?error=invalid');

  const c = new Client(k.app, undefined, '10.5.0.2');
  await c.login(awa.id);
  expect((await c.get('/templates')).status).toBe(403);
  const { no } = await k.openCase();
  await c.page(`/cases/${no}`);
  await c.post(`/cases/${no}/claim`);
  const casePage = await c.page(`/cases/${no}`);
  const link = /href="(\/cases\/[^"]+\?template=[a-z0-9]+)#text"/.exec(casePage.html)?.[1];
  expect(link).toBeDefined();
  const picked = await c.page(link!);
  // The case was opened in French.
  expect(picked.html).toContain('>Bonjour, venez au local demain à 9 h.</textarea>');

  // Another partner sees none of it.
  const other = await k.account('Chef Aracem', 'aracem', 'admin');
  const o = new Client(k.app, undefined, '10.5.0.3');
  await o.login(other.id);
  expect((await o.page('/templates')).html).not.toContain('Rendez-vous');
});
