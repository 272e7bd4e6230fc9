import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegister } from '../store/register/register.js';
import { Connection } from '../store/sqlite/connection.js';
import { tempDir, type TempDir } from '../store/test-tmp.js';
import { readPlainList } from './formats/plain-list.js';
import { importRecords } from './import.js';
import { SourceError } from './text-input.js';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir('crocetta-source-error-');
});
afterEach(() => dir.remove());

describe('a source that fails mid-file (an I/O error while reading, a client gone)', () => {
  it.each([false, true])(
    'leaves the register as it was, past two of staging’s commits (lenient %s)',
    async (lenient) => {
      const file = dir.file('register.sqlite');
      const reg = await openRegister({ file, lookbackDays: 30 });
      await reg.close();
      let stagedTwice!: () => void;
      const twice = new Promise<void>((resolve) => (stagedTwice = resolve));
      // 25,000 good numbers, then the read fails once 20,000 of them are staged (staging commits every 10,000).
      async function* bytes(): AsyncGenerator<string> {
        for (let i = 0; i < 25_000; i += 1000)
          yield Array.from({ length: 1000 }, (_, j) => `+3902${String(10_000_000 + i + j)}\n`).join('');
        await twice;
        throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      }
      const items = readPlainList(Readable.from(bytes(), { objectMode: false }), {
        label: 'nuisance',
        country: 'IT',
        now: 0,
        category: null,
      });
      const err = await importRecords(file, items, {
        now: 0,
        lenient,
        historyBy: 'import:list',
        onProgress: (p) => {
          if (p.phase === 'stage' && p.records >= 20_000) stagedTwice();
        },
      }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SourceError);
      expect((err as SourceError).message).toBe('the input stopped before its end: EIO: i/o error, read');
      const db = await Connection.open(file, { readOnly: true });
      try {
        expect(await db.get('SELECT count(*) AS n FROM numbers')).toEqual({ n: 0 });
        expect(await db.get('SELECT count(*) AS n FROM mark_history')).toEqual({ n: 0 });
      } finally {
        await db.close();
      }
    },
  );
});
