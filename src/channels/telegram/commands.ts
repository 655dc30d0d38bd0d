// The command menu Telegram shows next to the text field, per language (setMyCommands with language_code).
// Commands reach the flows as keywords ("/menu" reads as "menu"), so every command here must be a keyword there.
import type { BotCommand } from 'grammy/types';
import type { Lang } from '../../engine/types.ts';

export type CommandMenus = Record<Lang, BotCommand[]>;

const FR: BotCommand[] = [
  { command: 'start', description: 'Commencer' },
  { command: 'menu', description: 'Menu principal' },
  { command: 'help', description: 'Aide' },
  { command: 'language', description: 'Changer de langue' },
  { command: 'alerts', description: 'Mes alertes' },
  { command: 'stop', description: 'Arrêter les alertes' },
];

const EN: BotCommand[] = [
  { command: 'start', description: 'Start' },
  { command: 'menu', description: 'Main menu' },
  { command: 'help', description: 'Help' },
  { command: 'language', description: 'Change language' },
  { command: 'alerts', description: 'My alerts' },
  { command: 'stop', description: 'Stop alerts' },
];

/** Bambara descriptions are not written yet: French, the fallback language, until a reviewed translation exists. */
export const DEFAULT_COMMANDS: CommandMenus = { fr: FR, en: EN, bm: FR };
