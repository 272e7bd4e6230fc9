import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readFritzbox } from './formats/fritzbox.js';
import { csvRows, SourceError, textLines } from './text-input.js';

/** A source that gives `part` and then fails, as a request whose client closed mid-upload does. */
function failingSource(part: string): PassThrough {
  const source = new PassThrough();
  source.write(part);
  setTimeout(() => source.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), 10);
  return source;
}

async function drain(items: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const i of items) out.push(i);
  return out;
}

describe("the readers fail with their source's error (the source's own listeners were its only ones)", () => {
  it.each([
    ['textLines', () => textLines(failingSource('0212345678\n02'))],
    ['csvRows', () => csvRows(failingSource('"a","b"\n"c'))],
    [
      'readFritzbox',
      () => readFritzbox(failingSource('<phonebooks><phonebook>'), { label: 'nuisance', country: 'IT', now: 0 }),
    ],
  ])(
    '%s rejects with a SourceError naming the cause, not a refusal of the file, and never waits for ever',
    async (_n, read) => {
      const err = await drain(read()).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SourceError);
      expect((err as SourceError).message).toBe('the input stopped before its end: aborted');
      expect(((err as SourceError).cause as { code?: string }).code).toBe('ECONNRESET');
    },
    5000,
  );
});
