/**
 * Text input for importers: bytes → UTF-8 text (strict: a file in another encoding is refused with the line where
 * it stops being UTF-8, never imported as mojibake), then CSV rows or lines, each with its line number.
 */
import { createInterface } from 'node:readline';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';

/** Thrown for a file that cannot be read as a whole (encoding, structure): the import is refused. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

/**
 * The bytes stopped coming before the end of the file: the source failed (a client that closed mid-upload, a file
 * that cannot be read; `cause` says how). Not the file's fault, so never a refusal of it: the import fails.
 */
export class SourceError extends Error {
  override name = 'SourceError';
  constructor(cause: Error) {
    super(`the input stopped before its end: ${cause.message}`, { cause });
  }
}

/** Decodes UTF-8 strictly; a leading BOM is dropped; UTF-16 is named as such. */
export function strictUtf8(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let line = 1;
  let first = true;
  return new Transform({
    readableObjectMode: false,
    decodeStrings: true,
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (first) {
        first = false;
        if (
          chunk.length >= 2 &&
          ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))
        ) {
          cb(new InputError('the file is UTF-16: save it as UTF-8'));
          return;
        }
      }
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        // Find the line: count the newlines of the part that did decode.
        let good = chunk.length;
        for (; good > 0; good--) {
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(chunk.subarray(0, good));
            break;
          } catch {
            // shorter
          }
        }
        for (let i = 0; i < good; i++) if (chunk[i] === 0x0a) line++;
        cb(new InputError('not UTF-8 text (wrong encoding? save the file as UTF-8)', line));
        return;
      }
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
      cb(null, text);
    },
    flush(cb) {
      try {
        cb(null, decoder.decode());
      } catch {
        cb(new InputError('the file ends in the middle of a UTF-8 character (truncated?)', line));
      }
    },
  });
}

/**
 * `input` decoded by strictUtf8(). A source's own error (a client that closed mid-upload, a file that cannot be read)
 * fails the decoded stream too, and so whoever reads it: `pipe()` alone leaves the source's error to the source's
 * listeners, so it escaped as an uncaught exception (the service died) or, without one, the reader waited for ever.
 */
export function decodedUtf8(input: Readable): Transform {
  const decoded = strictUtf8();
  input.on('error', (err: Error) => decoded.destroy(new SourceError(err)));
  return input.pipe(decoded);
}

export interface CsvRow {
  line: number;
  cells: string[];
}

/** CSV rows (RFC 4180, quotes, embedded newlines) with the line each starts on. */
export async function* csvRows(input: Readable, options: { delimiter?: string } = {}): AsyncGenerator<CsvRow> {
  const parser = parse({
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    delimiter: options.delimiter ?? ',',
    max_record_size: 1 << 20,
  });
  const decoded = decodedUtf8(input);
  decoded.on('error', (err) => parser.destroy(err));
  decoded.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number; records: number } }>) {
      yield { line: item.info.lines, cells: item.record };
    }
  } catch (err) {
    if (err instanceof InputError || err instanceof SourceError) throw err;
    const e = err as { code?: string; lines?: number; message?: string };
    throw new InputError(`not valid CSV: ${e.message ?? String(err)}`, e.lines);
  }
}

/** Lines of text (any of \n, \r\n), numbered from 1. */
export async function* textLines(input: Readable): AsyncGenerator<{ line: number; text: string }> {
  const decoded = decodedUtf8(input);
  const rl = createInterface({ input: decoded, crlfDelay: Infinity });
  let errored: Error | undefined;
  decoded.on('error', (err: Error) => {
    errored = err;
    rl.close();
  });
  let line = 0;
  for await (const text of rl) {
    line++;
    yield { line, text };
  }
  if (errored !== undefined) throw errored;
}
