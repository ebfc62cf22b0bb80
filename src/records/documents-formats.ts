/**
 * Document formats (RULES §4.2): what a file really is, from its first bytes, checked against
 * what the sender declared. Pure functions, no I/O.
 */

/** Patient uploads: PDF, JPEG/JPG, PNG, RTF, TIF/TIFF, TXT, at most 5 MB (RULES §4.2). */
export const PATIENT_FORMATS = ['application/pdf', 'image/jpeg', 'image/png', 'application/rtf', 'image/tiff', 'text/plain'] as const;
/** Professionals and the insurer may also send structured documents (CDA R2 is XML). */
export const PROFESSIONAL_FORMATS = [...PATIENT_FORMATS, 'application/xml'] as const;
export type DocumentFormat = (typeof PROFESSIONAL_FORMATS)[number];

export const PATIENT_MAX_BYTES = 5 * 1024 * 1024;
/** Professionals' and the insurer's documents (imaging reports with pictures can be large). */
export const PROFESSIONAL_MAX_BYTES = 20 * 1024 * 1024;

/** Declared media types (and common aliases) -> the canonical format. */
const ALIASES: Readonly<Record<string, DocumentFormat>> = {
  'application/pdf': 'application/pdf',
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/png': 'image/png',
  'application/rtf': 'application/rtf',
  'text/rtf': 'application/rtf',
  'image/tiff': 'image/tiff',
  'image/tif': 'image/tiff',
  'text/plain': 'text/plain',
  'application/xml': 'application/xml',
  'text/xml': 'application/xml',
};

/** File name extensions -> format, for senders that declare application/octet-stream. */
const EXTENSIONS: Readonly<Record<string, DocumentFormat>> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  rtf: 'application/rtf',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  txt: 'text/plain',
  xml: 'application/xml',
};

const startsWith = (b: Buffer, sig: readonly number[]): boolean => b.length >= sig.length && sig.every((v, i) => b[i] === v);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

function isText(b: Buffer): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(b);
    // Control characters other than tab, line feed, form feed and carriage return: binary.
    // eslint-disable-next-line no-control-regex
    return !/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/.test(text);
  } catch {
    return false;
  }
}

/** The format the content really has, judged from its bytes; null when none we accept. */
export function sniffFormat(b: Buffer): DocumentFormat | null {
  if (startsWith(b, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(b, ascii('{\\rtf'))) return 'application/rtf';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (b.length > 0 && isText(b)) {
    const head = b.subarray(0, 512).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    return head.startsWith('<?xml') || /^<[A-Za-z]/.test(head) ? 'application/xml' : 'text/plain';
  }
  return null;
}

export type FormatCheck = { ok: DocumentFormat } | { reason: string };

/**
 * The format of an upload: the declared media type (or, for application/octet-stream, the
 * file name's extension) must be one of `allowed` AND agree with the bytes.
 */
export function checkFormat(content: Buffer, declared: string, fileName: string, allowed: readonly DocumentFormat[]): FormatCheck {
  const names = allowed.map((f) => f.split('/')[1]?.toUpperCase()).join(', ');
  const media = declared.split(';')[0]?.trim().toLowerCase() ?? '';
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  const claimed = media === 'application/octet-stream' || media === '' ? EXTENSIONS[ext] : ALIASES[media];
  if (claimed === undefined || !allowed.includes(claimed)) return { reason: `the format ${media || ext || 'unknown'} is not accepted (accepted: ${names})` };
  const actual = sniffFormat(content);
  // Plain text is the fallback of every text: an XML file declared as text is still text.
  const agrees = actual === claimed || (claimed === 'text/plain' && actual === 'application/xml');
  if (!agrees) return { reason: `the content is not a ${claimed.split('/')[1]?.toUpperCase()} file as declared` };
  return { ok: claimed };
}
