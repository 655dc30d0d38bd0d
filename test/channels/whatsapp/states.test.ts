// The connection's states and WhatsApp Web's state names, as the rest of the bot sees them.
import { describe, expect, it } from 'vitest';
import { meaningOf, type WhatsAppConnectionState } from '../../../src/channels/whatsapp/states.ts';
import { WHATSAPP_STATES } from '../../../src/infra/metrics.ts';

describe('the metric of the connection state', () => {
  it('lists every state the connection can be in', () => {
    const all: Record<WhatsAppConnectionState, true> = {
      starting: true,
      qr: true,
      ready: true,
      degraded: true,
      reconnecting: true,
      waiting: true,
      blocked: true,
      disconnected: true,
    };
    expect([...WHATSAPP_STATES].sort()).toEqual(Object.keys(all).sort());
  });
});

describe('what a WhatsApp Web state means', () => {
  it('only a logout or a forgotten device loses the pairing; bans, an old library and conflicts are told apart', () => {
    expect(['LOGOUT', 'UNPAIRED', 'UNPAIRED_IDLE'].map(meaningOf)).toEqual(['logged_out', 'logged_out', 'logged_out']);
    expect(['TOS_BLOCK', 'SMB_TOS_BLOCK'].map(meaningOf)).toEqual(['banned', 'banned']);
    expect(meaningOf('DEPRECATED_VERSION')).toBe('outdated');
    expect(meaningOf('CONFLICT')).toBe('conflict');
    expect(['PROXYBLOCK', 'UNLAUNCHED', 'NAVIGATION'].map(meaningOf)).toEqual(['transient', 'transient', 'transient']);
  });
});
