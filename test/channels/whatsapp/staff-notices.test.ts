// WhatsApp notices reach every staff Telegram group once, in French with WhatsApp's reason, and the log.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { staffNoticeSender } from '../../../src/channels/whatsapp/staff-notices.ts';

function recordingLogger(lines: string[]) {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

describe('WhatsApp notices for staff', () => {
  it('go to each staff group once (partners may share one), and to the log without the text', async () => {
    const sent: { chatId: number; text: string }[] = [];
    const lines: string[] = [];
    const logger = recordingLogger(lines);
    const notify = staffNoticeSender({
      groups: new Map([
        ['ame', -1001],
        ['aracem', -1002],
        ['gao', -1001],
      ]).values(),
      send: async (chatId, text) => void sent.push({ chatId, text }),
      logger,
    });
    await notify({ kind: 'blocked', reason: 'TOS_BLOCK', text: 'WhatsApp blocked this number (TOS_BLOCK).' });
    expect(sent.map((s) => s.chatId)).toEqual([-1001, -1002]);
    expect(sent[0]!.text).toMatch(/^⚠️ WhatsApp a arrêté ce numéro.*\(TOS_BLOCK\)\n\nWhatsApp blocked this number/s);
    expect(lines.join('')).toContain('"kind":"blocked"');
  });

  it('a Telegram that is not running or fails costs the message, never the bot', async () => {
    const lines: string[] = [];
    const logger = recordingLogger(lines);
    const notify = staffNoticeSender({
      groups: [-1001, -1002],
      send: (chatId) => (chatId === -1001 ? null : Promise.reject(new Error('429'))),
      logger,
    });
    await expect(notify({ kind: 'pairing_needed', text: 'scan' })).resolves.toBeUndefined();
    expect(lines.join('')).toContain('not sent to some staff groups');
  });
});
