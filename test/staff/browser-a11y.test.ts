// Every page of the console checked by axe-core in Debian's Chromium (playwright-core): logged out and logged in,
// error pages included, at desktop size and on a 360×640 phone. No violation of impact "serious" or "critical"
// (contrast, names of buttons and fields, language of the page...). Also: the skip link reaches the content, and
// the focused element is visibly outlined.
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../support/app.ts';
import { Client, type Console, createConsole, location, PASSWORD } from './support/console.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const VIEWPORTS = [
  ['desktop', { width: 1280, height: 800 }],
  ['360×640', { width: 360, height: 640 }],
] as const;
const LAUNCH_BUDGET_MS = 180_000;
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');

let k: Console;
let browser: Browser;
let base: string;
let admin: string;
let staff: string;
let caseNo: string;
let alertPath: string;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  k = await createConsole();
  admin = (await k.account('Fatoumata Koné', 'ame', 'admin')).id;
  staff = (await k.account('Awa Traoré', 'ame')).id;
  caseNo = (await k.openCase({ nickname: 'Issa', description: 'Mon passeport a été pris.', contact: 'phone' })).no;
  await k.openCase({ nickname: 'Fanta' }, 'housing', 'gao', true);
  const c = new Client(k.app);
  await c.login(admin);
  await c.page('/alerts/new');
  alertPath = location(
    await c.post('/alerts/publish', {
      text_fr: 'La frontière est fermée.',
      text_en: '',
      text_bm: '',
      topics: ['urgent'],
      regions: ['all'],
      send_at: '',
      expires_at: '',
    }),
  );
  expect(alertPath).toMatch(/^\/alerts\/web-/);
  const { port } = await k.server.listen();
  base = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}, LAUNCH_BUDGET_MS + 30_000);

afterAll(async () => {
  await browser?.close();
  await k?.close();
});

type Found = { id: string; impact: string; help: string; targets: string[] };

/** axe-core's serious and critical violations on the page as it is now. */
async function violations(page: Page): Promise<Found[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Record<string, unknown>[] }> } }).axe;
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: String(v.id),
        impact: String(v.impact),
        help: String(v.help),
        targets: (v.nodes as { target: string[]; html: string }[])
          .slice(0, 5)
          .map((n) => `${n.target.join(' ')} ${n.html.slice(0, 160)}`),
      }));
  });
}

async function pageAt(viewport: { width: number; height: number }, locale = 'fr-FR'): Promise<Page> {
  // Chromium lets a test script in despite the console's CSP (script-src 'self') only when asked.
  const context = await browser.newContext({ viewport, locale, bypassCSP: true });
  return context.newPage();
}

async function logIn(page: Page, who: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('#login', who);
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForURL(`${base}/cases`);
}

/** Opens each address and collects what axe finds, keyed by address. */
async function check(page: Page, paths: readonly string[], expected: Record<string, number> = {}) {
  const found: Record<string, Found[]> = {};
  for (const p of paths) {
    const res = await page.goto(`${base}${p}`);
    expect(res?.status(), p).toBe(expected[p] ?? 200);
    const v = await violations(page);
    if (v.length) found[p] = v;
  }
  return found;
}

describe.each(VIEWPORTS)('accessibility (%s)', (_label, viewport) => {
  test('logged out: login, expired login, set-up link, error pages', async () => {
    const token = await k.accounts.newSetupToken(staff);
    const page = await pageAt(viewport);
    const found = await check(
      page,
      ['/login', '/login?expired=1', `/setup/${token}`, '/setup/not-a-real-token', '/nope'],
      {
        '/setup/not-a-real-token': 404,
        '/nope': 404,
      },
    );
    expect(found).toEqual({});
    await page.context().close();
  });

  test('logged in as an administrator: every page, the preview, Bull Board and the error pages', async () => {
    const page = await pageAt(viewport);
    await logIn(page, admin);
    const found = await check(
      page,
      [
        '/cases',
        '/cases?status=waiting&mine=1',
        `/cases/${caseNo}`,
        '/outcomes',
        '/templates',
        '/audit',
        '/alerts',
        '/alerts/new',
        alertPath,
        '/content',
        '/content/flows/main',
        '/content/flows/referral',
        '/channels',
        '/audio',
        '/cases/K-ZZZZ',
        `/cases/${caseNo}/claim`,
        '/no/such/page',
      ],
      { '/cases/K-ZZZZ': 404, [`/cases/${caseNo}/claim`]: 405, '/no/such/page': 404 },
    );
    // The alert preview is the answer to a form.
    await page.goto(`${base}/alerts/new`);
    await page.fill('#text_fr', 'Frontière fermée.');
    await page.check('input[name=topics][value=urgent]');
    await page.click('form[action="/alerts/preview"] button[type=submit]');
    await page.waitForURL(`${base}/alerts/preview`);
    const preview = await violations(page);
    if (preview.length) found['/alerts/preview'] = preview;

    // Bull Board: its own interface, in the console's language, with a way back.
    await page.goto(`${base}/admin/queues`);
    await page.waitForFunction(() => !document.querySelector('#root')?.textContent?.includes('Loading'));
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.locator('a[href="/cases"]', { hasText: 'Retour à la console' }).count()).toBe(1);
    const board = await violations(page);
    if (board.length) found['/admin/queues'] = board;
    // What axe found, for a person to read when this fails.
    await writeFile(path.join(ARTIFACTS, `axe-admin-${viewport.width}.json`), JSON.stringify(found, null, 2));
    expect(found).toEqual({});
    await page.context().close();
  });

  test('logged in as staff: a page refused to staff (403)', async () => {
    const page = await pageAt(viewport, 'en-US');
    await logIn(page, staff);
    expect(await check(page, ['/templates', '/admin/queues'], { '/templates': 403, '/admin/queues': 403 })).toEqual({});
    await page.context().close();
  });
});

test('the skip link is the first stop of the keyboard and leads to the content; focus is outlined', async () => {
  const page = await pageAt({ width: 1280, height: 800 });
  await logIn(page, admin);
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Aller au contenu');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
  expect(outline).toBe('solid');
  await page.keyboard.press('Enter');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  await page.context().close();
});

test('inputs and secondary buttons stand out from what is around them (WCAG non-text contrast ≥ 3:1)', async () => {
  const page = await pageAt({ width: 360, height: 640 });
  await logIn(page, admin);
  const ratios = await page.evaluate(() => {
    const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).slice(0, 4).map(Number);
    const luminance = (color: string) => {
      const [r, g, b] = rgb(color).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    /** The colour behind an element: the first ancestor with an opaque background. */
    const behind = (el: Element) => {
      for (let e = el.parentElement; e; e = e.parentElement) {
        const bg = getComputedStyle(e).backgroundColor;
        if (rgb(bg)[3] !== 0 && bg !== 'transparent') return bg;
      }
      return 'rgb(255, 255, 255)';
    };
    const ratio = (a: string, b: string) => {
      const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
      return (x! + 0.05) / (y! + 0.05);
    };
    const input = document.querySelector('#q')!;
    const secondary = document.querySelector('form.filters button.secondary')!;
    return {
      input: ratio(getComputedStyle(input).borderTopColor, behind(input)),
      secondary: ratio(getComputedStyle(secondary).borderTopColor, behind(secondary)),
    };
  });
  expect(ratios.input).toBeGreaterThanOrEqual(3);
  expect(ratios.secondary).toBeGreaterThanOrEqual(3);
  await page.context().close();
});
