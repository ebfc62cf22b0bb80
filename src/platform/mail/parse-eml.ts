/**
 * Reads back the .eml files of the development mailbox: headers (with RFC 2047 encoded
 * words), multipart bodies, quoted-printable and base64. It is meant for the messages
 * nodemailer writes, not for arbitrary mail from the wild (that would call for mailparser).
 */
export interface ParsedEml {
  headers: ReadonlyMap<string, string>;
  subject: string;
  from: string;
  to: string;
  date: Date | undefined;
  messageId: string;
  text: string;
  html: string | undefined;
}

export function parseEml(raw: Buffer | string): ParsedEml {
  const part = parsePart(typeof raw === 'string' ? raw : raw.toString('latin1'));
  const leaves = flatten(part);
  const h = part.headers;
  const date = h.get('date');
  return {
    headers: h,
    subject: decodeWords(h.get('subject') ?? ''),
    from: decodeWords(h.get('from') ?? ''),
    to: decodeWords(h.get('to') ?? ''),
    date: date === undefined || Number.isNaN(Date.parse(date)) ? undefined : new Date(date),
    messageId: (h.get('message-id') ?? '').replace(/^<|>$/g, ''),
    text: leaves.find((l) => l.type === 'text/plain')?.body ?? '',
    html: leaves.find((l) => l.type === 'text/html')?.body,
  };
}

interface Part {
  headers: Map<string, string>;
  /** Raw body as a binary (latin1) string: one char per byte. */
  raw: string;
}

function parsePart(source: string): Part {
  const split = /\r?\n\r?\n/.exec(source);
  const head = split ? source.slice(0, split.index) : source;
  const raw = split ? source.slice(split.index + split[0].length) : '';
  const headers = new Map<string, string>();
  // Unfold: a line starting with white space continues the previous header.
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, raw };
}

function flatten(part: Part): { type: string; body: string }[] {
  const contentType = part.headers.get('content-type') ?? 'text/plain';
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? 'text/plain';
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (boundary === undefined) return [];
    const chunks = part.raw.split(new RegExp(`\\r?\\n?--${escapeRegExp(boundary)}(?:--)?[ \\t]*\\r?\\n?`));
    // chunks[0] is the preamble, the last one the epilogue.
    return chunks.slice(1, -1).flatMap((c) => flatten(parsePart(c)));
  }
  const charset = /charset="?([^";]+)"?/i.exec(contentType)?.[1] ?? 'utf-8';
  const bytes = decodeTransfer(part.raw, part.headers.get('content-transfer-encoding') ?? '7bit');
  return [{ type, body: decodeText(bytes, charset).replace(/\r\n/g, '\n') }];
}

function decodeTransfer(raw: string, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(raw.replace(/\s+/g, ''), 'base64');
    case 'quoted-printable':
      return qpDecode(raw.replace(/=\r?\n/g, ''));
    default:
      return Buffer.from(raw, 'latin1');
  }
}

function qpDecode(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const hex = s.slice(i + 1, i + 3);
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(c & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 2047: =?utf-8?Q?...?= and =?utf-8?B?...?=; white space between two encoded words is dropped. */
function decodeWords(value: string): string {
  // The file was read one char per byte: undo that for any raw 8-bit (UTF-8) header text.
  const utf8 = Buffer.from(value, 'latin1').toString('utf8');
  return utf8.replace(/(\?=)\s+(=\?)/g, '$1$2').replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, charset: string, enc: string, text: string) => {
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpDecode(text.replace(/_/g, ' '));
    return decodeText(bytes, charset);
  });
}

function decodeText(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return bytes.toString('latin1'); // unknown charset label
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
