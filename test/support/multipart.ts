// A minimal multipart/form-data parser for the loopback Bot API server: enough for what grammY sends
// (text fields, JSON-encoded fields, and file parts referenced by `attach://<id>`).

export type MultipartPart = { name: string; filename?: string; data: Buffer };

export function boundaryOf(contentType: string): string | null {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    let partStart = start + delimiter.length;
    // `--` right after a delimiter ends the body.
    if (body[partStart] === 0x2d && body[partStart + 1] === 0x2d) break;
    if (body[partStart] === 0x0d && body[partStart + 1] === 0x0a) partStart += 2;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // The part ends with CRLF before the next delimiter.
    const partEnd = body[next - 2] === 0x0d && body[next - 1] === 0x0a ? next - 2 : next;
    const part = parsePart(body.subarray(partStart, partEnd));
    if (part) parts.push(part);
    start = next;
  }
  return parts;
}

function parsePart(raw: Buffer): MultipartPart | null {
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd === -1) return null;
  const headers = raw.subarray(0, headerEnd).toString('utf8');
  const disposition = headers.split('\r\n').find((line) => /^content-disposition\s*:/i.test(line));
  if (!disposition) return null;
  const name = /name="([^"]*)"/i.exec(disposition)?.[1];
  if (name === undefined) return null;
  // grammY writes `filename=voice.ogg` without quotes.
  const filename = /filename=(?:"([^"]*)"|([^;\r\n]+))/i.exec(disposition);
  const data = raw.subarray(headerEnd + 4);
  return filename ? { name, filename: (filename[1] ?? filename[2] ?? '').trim(), data } : { name, data };
}
