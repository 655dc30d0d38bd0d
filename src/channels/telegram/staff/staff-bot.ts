// Partner staff on Telegram. Each partner has a staff group (REFERRAL_STAFF_GROUPS="ame=-100123,aracem=-100456"):
// - the notifier posts a summary without personal data with a "Claim" button (callback_data `claim:<case>`), plus
//   reminders and escalations, and writes privately to the claimer (the person's messages, erasures);
// - the composer handles the button (exactly one presser wins; the others are told it is taken), sends the details
//   to the claimer in a private chat with the bot, and takes the private commands `/reply K-XXXX text`,
//   `/close K-XXXX outcome [note]`, `/release K-XXXX`, `/transfer K-XXXX partner`, `/cases`, and replies to the bot's
//   case messages, which go to the person.
// Install the composer before the conversation middleware: it handles staff updates and passes on everything else.
// Messages are plain text (no parse mode), so nothing a person typed can break formatting.
export { createStaffComposer } from './composer.ts';
export { parseStaffGroups, splitForTelegram, type TelegramStaffOptions } from './groups.ts';
export { createTelegramStaffNotifier, telegramLabels } from './notifier.ts';
export { StaffPostStore } from './posts.ts';
