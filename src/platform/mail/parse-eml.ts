import { simpleParser } from 'mailparser';
import type { AddressObject } from 'mailparser';

/** A message of the development mailbox (or one an SMTP test server received), read back. */
export interface ParsedEml {
  subject: string;
  from: string;
  to: string;
  date: Date | undefined;
  messageId: string;
  text: string;
  html: string | undefined;
}

// `Name <address>` as people write it (mailparser's `text` quotes the display name).
const addresses = (a: AddressObject | AddressObject[] | undefined): string =>
  a === undefined
    ? ''
    : [a]
        .flat()
        .flatMap((x) => x.value)
        .map((v) => (v.name ? `${v.name} <${v.address ?? ''}>` : (v.address ?? '')))
        .join(', ');

/** Parses an RFC 822 message with mailparser (headers, encoded words, MIME parts). */
export async function parseEml(raw: Buffer | string): Promise<ParsedEml> {
  const m = await simpleParser(raw);
  return {
    subject: m.subject ?? '',
    from: addresses(m.from),
    to: addresses(m.to),
    date: m.date,
    messageId: (m.messageId ?? '').replace(/^<|>$/g, ''),
    text: (m.text ?? '').replace(/\r\n/g, '\n'),
    html: m.html === false ? undefined : m.html,
  };
}
