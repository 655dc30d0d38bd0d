// Reads an OGG/Opus file's length without any tool: the last page's granule position counts 48 kHz samples,
// minus the pre-skip given in the OpusHead packet (RFC 7845). Also tells whether a file is OGG/Opus at all,
// which is how a Telegram voice note is kept exactly as it came.

export type OggOpusInfo = { durationMs: number; channels: number };

const CAPTURE = Buffer.from('OggS');
const OPUS_HEAD = Buffer.from('OpusHead');

/** Duration and channel count of an OGG/Opus file, or null when the bytes are not one. */
export function oggOpusInfo(bytes: Buffer): OggOpusInfo | null {
  if (bytes.length < 47 || !bytes.subarray(0, 4).equals(CAPTURE)) return null;
  const segments = bytes[26] ?? 0;
  const firstPacket = 27 + segments;
  if (!bytes.subarray(firstPacket, firstPacket + 8).equals(OPUS_HEAD)) return null;
  const channels = bytes[firstPacket + 9] ?? 0;
  const preSkip = bytes.readUInt16LE(firstPacket + 10);
  let lastGranule = -1n;
  let at = 0;
  while (at + 27 <= bytes.length && bytes.subarray(at, at + 4).equals(CAPTURE)) {
    const granule = bytes.readBigInt64LE(at + 6);
    const count = bytes[at + 26] ?? 0;
    let size = 0;
    for (let i = 0; i < count; i++) size += bytes[at + 27 + i] ?? 0;
    // -1 marks a page on which no packet ends.
    if (granule !== -1n) lastGranule = granule;
    at += 27 + count + size;
  }
  if (lastGranule < 0n) return null;
  const samples = Number(lastGranule) - preSkip;
  return { durationMs: Math.max(0, Math.round(samples / 48)), channels };
}
