// A small script added to Bull Board's page (it allows same-origin scripts): names its icon-only buttons and its
// Redis logo in the console's language, and makes the "workers" badges read as they look. Bull Board renders with
// React and re-renders often, so the script watches the page and names what appears.
import type { T } from './i18n.ts';

export const BULL_BOARD_A11Y_PATH = '/static/bull-board-a11y.js';

/** Lucide icon → what its button does (the button shows only the icon). */
const ICON_NAMES: Record<string, string> = {
  maximize: 'Full screen',
  minimize: 'Leave full screen',
  settings: 'Settings',
  'ellipsis-vertical': 'More actions',
  ellipsis: 'More actions',
  menu: 'Menu',
  'panel-left': 'Menu',
  'chevron-down': 'Show more',
  'chevron-up': 'Show less',
  'chevron-left': 'Previous',
  'chevron-right': 'Next',
  'refresh-cw': 'Refresh',
  'rotate-cw': 'Refresh',
  trash: 'Delete',
  'trash-2': 'Delete',
  play: 'Resume',
  pause: 'Pause',
  x: 'Close',
  search: 'Search',
  sun: 'Light theme',
  moon: 'Dark theme',
  copy: 'Copy',
  'book-open': 'Documentation',
  'circle-help': 'Help',
};

/** The names in the reader's language, for the script's data attribute. */
export function bullBoardNames(t: T): Record<string, string> {
  const names: Record<string, string> = { redis: t('Redis server details'), button: t('Button') };
  for (const [icon, label] of Object.entries(ICON_NAMES)) names[icon] = t(label);
  return names;
}

export const BULL_BOARD_A11Y_SCRIPT = `(() => {
  const tag = document.currentScript;
  const names = JSON.parse(tag.getAttribute('data-names') || '{}');
  const named = (el) => (el.getAttribute('aria-label') || el.getAttribute('title') || el.textContent || '').trim() !== '';
  function fix() {
    for (const svg of document.querySelectorAll('svg[role=img]:not([aria-label])')) {
      svg.setAttribute('aria-label', names.redis);
    }
    for (const button of document.querySelectorAll('button')) {
      if (button.getAttribute('aria-label') && button.textContent.trim() &&
          !button.getAttribute('aria-label').includes(button.textContent.trim())) {
        // The label must contain what is shown (e.g. the workers badge shows a count).
        button.setAttribute('aria-label', button.textContent.trim() + ' · ' + button.getAttribute('aria-label'));
      }
      if (named(button)) continue;
      const icon = [...(button.querySelector('svg.lucide')?.classList || [])].find((c) => c.startsWith('lucide-'));
      const key = icon ? icon.slice(7) : button.querySelector('svg[role=img]') ? 'redis' : 'button';
      button.setAttribute('aria-label', names[key] || key.replace(/-/g, ' '));
    }
  }
  new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
  fix();
})();`;

/** Contrast of the workers badges and the search shortcut (their grey on grey is below 4.5:1). */
export const BULL_BOARD_STYLE =
  '<style>[class*="workersBadge"],[class*="searchShortcut"]{color:#1d2433 !important}</style>';
