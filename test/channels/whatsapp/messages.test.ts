// Messages as WhatsApp sends them: a caption is the question, one person under two ids is one conversation,
// calls are declined with a short text, and a send WhatsApp Web silently drops is a failure, not a success.
import { afterEach, describe, expect, it } from 'vitest';
import { waMedia, waMessage } from '../../support/fake-whatsapp-client.ts';
import { createHarness, type Harness, waitFor } from './harness.ts';

const AMINATA = '22370000000@c.us';
const AMINATA_LID = '187654321098765@lid';

let h: Harness;

afterEach(async () => {
  await h?.close();
});

describe('WhatsApp messages', () => {
  it('reads the caption of a photo as the person’s words, and hands the photo along for a referral', async () => {
    h = await createHarness();
    const client = await h.startReady();
    client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
    client.receive(waMedia(AMINATA, 'image', 'Voici ma convocation, que dois-je faire ?'));
    client.receive(waMedia(AMINATA, 'image'));
    await waitFor(() => client.sent.length === 3, 'three answers');

    const [, captioned, bare] = h.runtime.calls;
    expect(captioned!.input).toEqual({
      kind: 'text',
      text: 'Voici ma convocation, que dois-je faire ?',
      media: { media: 'photo', ref: expect.stringMatching(/^wa:/) },
    });
    expect(client.textsTo(AMINATA)[1]).not.toMatch(/Je ne peux pas/);
    // Without a caption it stays a photo.
    expect(bare!.input).toEqual({ kind: 'media', media: 'photo', ref: expect.stringMatching(/^wa:/) });
  });

  it('a location’s body (a thumbnail) is not read as a caption', async () => {
    h = await createHarness();
    const client = await h.startReady();
    client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
    client.receive(waMessage(AMINATA, { type: 'location', body: '/9j/4AAQSkZJRgABAQAAAQABAAD' }));
    await waitFor(() => h.runtime.calls.length === 2, 'both handled');
    expect(h.runtime.calls[1]!.input).toEqual({ kind: 'media', media: 'location', ref: expect.any(String) });
  });

  it('the same person under a privacy id (@lid) and a phone id is one conversation', async () => {
    h = await createHarness();
    const client = await h.startReady();
    client.lidPairs.set(AMINATA_LID, { lid: AMINATA_LID, pn: AMINATA });
    client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
    await waitFor(() => client.sent.length === 1, 'the welcome');
    client.receive(waMessage(AMINATA_LID, { body: '2' }));
    await waitFor(() => client.sent.length === 2, 'the contacts');

    expect(h.runtime.calls.map((c) => c.chat.id)).toEqual([AMINATA, AMINATA]);
    // One session: the second message was not a new person's first (no second welcome).
    expect(client.textsTo(AMINATA)[1]).toMatch(/^\*Contacts\*/);
  });

  it('declines a call and answers it with a short text', async () => {
    h = await createHarness();
    const client = await h.startReady();
    client.knownChats.add(AMINATA);
    const call = client.call(AMINATA);
    await waitFor(() => client.sent.length === 1, 'the text after the call');
    expect(call.rejected).toBe(true);
    expect(client.textsTo(AMINATA)[0]).toMatch(/Je ne peux pas répondre aux appels/);
    expect(h.runtime.calls).toEqual([]);
  });

  it('a message WhatsApp Web drops (no such chat: the library resolves undefined) is a failure for the sender', async () => {
    h = await createHarness();
    const client = await h.startReady();
    client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
    await waitFor(() => client.sent.length === 1, 'the welcome');
    client.knownChats.delete(AMINATA);
    await expect(
      h.channel.send({ channel: 'whatsapp', id: AMINATA }, [{ paragraphs: ['Ton dossier avance.'] }]),
    ).rejects.toThrow(/no chat with this id/);
  });

  it('never answers its own messages: the library emits only message_create for them', async () => {
    h = await createHarness();
    const client = await h.startReady();
    const created: unknown[] = [];
    client.on('message_create', (m) => created.push(m));
    client.receive(waMessage(AMINATA, { body: 'note envoyée depuis le téléphone du bot', fromMe: true }));
    client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
    await waitFor(() => client.sent.length === 1, 'the welcome');
    expect(created).toHaveLength(2);
    expect(h.runtime.calls.map((c) => c.input)).toEqual([{ kind: 'text', text: 'Bonjour' }]);
  });
});
