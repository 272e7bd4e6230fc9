/**
 * Which import format a file is in, when the sender did not say (`POST /api/import` without `?format=`): from its
 * first bytes, else from its Content-Type. Only formats that name themselves are recognised: crocetta's own export
 * (its first line, docs/export-format.md), the FTC complaints CSV (its header row), a FRITZ!Box phonebook (its
 * root element) and vCard (`BEGIN:VCARD`). A plain list or an Asterisk CDR has nothing to tell it by.
 */
import { Readable } from 'node:stream';
import { FORMAT_NAME } from './records.js';
import type { ImportFormat } from './sources.js';

/** The formats `sniffImportFormat` can recognise without `?format=`. */
export const SNIFFED_FORMATS: readonly ImportFormat[] = ['json', 'csv', 'ftc', 'fritzbox', 'vcard'];

/** How many bytes of the body are looked at. */
export const SNIFF_BYTES = 4096;

const JSON_LINES_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
]);
const VCARD_TYPES = new Set(['text/vcard', 'text/x-vcard', 'text/directory']);

function firstLine(text: string): string {
  const body = text.replace(/^\uFEFF/, '').replace(/^(?:[ \t]*\r?\n)+/, '');
  const end = body.search(/\r?\n/);
  return (end < 0 ? body : body.slice(0, end)).trim();
}

function byContent(text: string): ImportFormat | null {
  const line = firstLine(text);
  if (line.startsWith('{')) {
    try {
      const header = JSON.parse(line) as { format?: unknown };
      if (header !== null && typeof header === 'object' && header.format === FORMAT_NAME) return 'json';
    } catch {
      // not a complete JSON line: not our header
    }
    return null;
  }
  const cell = /^"?([^",]*)"?,/.exec(line)?.[1]?.trim();
  if (cell === FORMAT_NAME) return 'csv';
  if (cell === 'Company_Phone_Number') return 'ftc';
  if (/^BEGIN:VCARD$/i.test(line)) return 'vcard';
  if (line.startsWith('<') && /<phonebooks?[\s>]/.test(text)) return 'fritzbox';
  return null;
}

function byContentType(contentType: string | undefined): ImportFormat | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (JSON_LINES_TYPES.has(type)) return 'json';
  if (VCARD_TYPES.has(type)) return 'vcard';
  return null; // text/csv could be crocetta's CSV, the FTC's or a CDR: the first line decides, or nothing does
}

/**
 * The format of a file from its first bytes (at least `SNIFF_BYTES` of them, or all when shorter) and the
 * request's Content-Type; null when neither tells. What the bytes say wins over the Content-Type.
 */
export function sniffImportFormat(head: Buffer, contentType?: string): ImportFormat | null {
  return byContent(head.toString('utf8')) ?? byContentType(contentType);
}

/**
 * Reads the first `bytes` of a stream (fewer if it ends first) and returns them with a stream that yields the
 * whole input again, head included. Errors of the input (a size limit, a broken upload) reach the new stream.
 */
export async function peekStream(input: Readable, bytes = SNIFF_BYTES): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  while (size < bytes) {
    const next = await it.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await it.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { head, stream: Readable.from(replay(), { objectMode: false }) };
}
