// WhatsApp notices for staff: to every staff Telegram group (REFERRAL_STAFF_GROUPS), in French (the staff's
// language by default) with WhatsApp's own reason, and to the log without personal data (notices carry none).
import type { Logger } from 'pino';
import type { WhatsAppNotice } from './states.ts';

const FRENCH: Record<WhatsAppNotice['kind'], string> = {
  pairing_needed: 'WhatsApp doit être appairé : un administrateur scanne le code QR dans la console (Canaux).',
  pairing_lost:
    'WhatsApp a délié le bot (déconnexion depuis le téléphone) : un administrateur doit l’appairer de nouveau (console, Canaux).',
  blocked:
    'WhatsApp a arrêté ce numéro : le bot ne se reconnecte plus. Un administrateur doit vérifier le téléphone et le numéro, puis cliquer « Réessayer maintenant » (console, Canaux).',
  update_needed:
    'WhatsApp Web refuse cette version de la bibliothèque : il faut mettre à jour whatsapp-web.js puis redémarrer le bot.',
  down: 'WhatsApp ne fonctionne plus depuis plusieurs minutes ; le bot réessaie. Si cela dure, vérifier le serveur et le téléphone du bot.',
  waiting_for_lease:
    'Un deuxième processus Kunnafoni a démarré pour le même numéro WhatsApp : il attend que le premier s’arrête.',
  reconnected: 'WhatsApp fonctionne de nouveau.',
};

export type StaffNoticeOptions = {
  /** Telegram chat ids of the staff groups (each told once, however many partners share it). */
  groups: Iterable<number>;
  /** Sends a plain text to a Telegram chat; null when Telegram is not running. */
  send(chatId: number, text: string): Promise<unknown> | null;
  logger: Logger;
};

export function staffNoticeSender(options: StaffNoticeOptions): (notice: WhatsAppNotice) => Promise<void> {
  const groups = [...new Set(options.groups)];
  return async (notice) => {
    options.logger.warn({ whatsapp: { kind: notice.kind, reason: notice.reason } }, 'whatsapp connection');
    const text = `⚠️ ${FRENCH[notice.kind]}${notice.reason ? ` (${notice.reason})` : ''}\n\n${notice.text}`;
    const results = await Promise.allSettled(groups.map((chatId) => options.send(chatId, text)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) options.logger.warn({ failed }, 'whatsapp notice not sent to some staff groups');
  };
}
