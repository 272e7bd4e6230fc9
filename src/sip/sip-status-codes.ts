import { createRequire } from 'node:module';

/**
 * drachtio-srf 5.0.29 refuses to send any status missing from its `sip-status` 0.1.0 table
 * (response.js: `if (!(status in status_codes)) throw`), and that table lacks codes a call screener needs.
 * drachtio-server forwards any code, so the fix is to complete the very table drachtio-srf reads: the same
 * module instance, resolved from drachtio-srf's own location. Reason phrases are the RFCs'.
 */
export const MISSING_STATUS_CODES: Readonly<Record<number, string>> = {
  433: 'Anonymity Disallowed', // RFC 5079
  470: 'Consent Needed', // RFC 5360
  555: 'Push Notification Service Not Supported', // RFC 8599
  607: 'Unwanted', // RFC 8197
  608: 'Rejected', // RFC 8688
};

/** drachtio-srf's own table, once completed (resolving it costs a module resolution: not per call). */
let installed: Record<number, string> | null = null;

/** Adds the missing codes to drachtio-srf's status table (idempotent). Returns the table for tests. */
export function installSipStatusCodes(): Record<number, string> {
  if (installed !== null) return installed;
  const fromSrf = createRequire(createRequire(import.meta.url).resolve('drachtio-srf'));
  const table = fromSrf('sip-status') as Record<number, string>;
  for (const [code, reason] of Object.entries(MISSING_STATUS_CODES)) {
    if (!(code in table)) table[Number(code)] = reason;
  }
  installed = table;
  return table;
}

const CLASS_PHRASES: Readonly<Record<number, string>> = {
  4: 'Request Failure',
  5: 'Server Failure',
  6: 'Global Failure',
};

/**
 * The reason phrase crocetta sends with a status. A configured code absent from the table (any 4xx-6xx is
 * allowed) is added with its class's phrase, so drachtio-srf accepts it.
 */
export function reasonPhrase(status: number): string {
  const table = installSipStatusCodes();
  const known = table[status];
  if (known !== undefined) return known;
  const phrase = CLASS_PHRASES[Math.floor(status / 100)] ?? 'Unknown';
  table[status] = phrase;
  return phrase;
}
