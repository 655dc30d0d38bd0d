// The WhatsApp channel around a real runtime (createTestApp) and the fake Client, started and paired, with no
// pacing or typing delays: what the tests that walk real flows on WhatsApp share.
import {
  createWhatsAppChannel,
  type WhatsAppChannel,
  type WhatsAppChannelOptions,
} from '../../../src/channels/whatsapp/adapter.ts';
import { silentLogger } from '../../../src/infra/logger.ts';
import { type FakeWhatsAppClient, fakeClientFactory } from '../../support/fake-whatsapp-client.ts';

export type ReadyChannelOptions = Pick<WhatsAppChannelOptions, 'runtime' | 'redis' | 'keys' | 'dataDir'> &
  Partial<Pick<WhatsAppChannelOptions, 'attachments'>>;

export async function startReadyChannel(
  options: ReadyChannelOptions,
): Promise<{ channel: WhatsAppChannel; client: FakeWhatsAppClient }> {
  const fakes = fakeClientFactory();
  const channel = createWhatsAppChannel({
    ...options,
    chromiumPath: '/usr/bin/chromium',
    auth: 'local',
    cleanStaleChromium: false,
    logger: silentLogger(),
    clientFactory: fakes.factory,
    showQr: () => {},
    minGapMs: 0,
    globalGapMs: 0,
    typing: { baseMs: 0, perCharMs: 0 },
  });
  await channel.start();
  const client = fakes.latest();
  await client.initialized;
  client.becomeReady();
  return { channel, client };
}
