import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HTABLE_HEADER, htableValue, writeKamailioHtable } from './kamailio-htable.js';

async function written(
  entries: Array<{ number: string; label: string }>,
): Promise<{ text: string; written: number; skipped: number }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const counts = await writeKamailioHtable(out, entries);
  out.end();
  return { text: Buffer.concat(chunks).toString('utf8'), ...counts };
}

describe('Kamailio htable export (db_text table)', () => {
  it('writes the column line, then one plain string key per E.164 number with its company', async () => {
    const r = await written([
      { number: '+390212345678', label: 'Example Energia' },
      { number: '+33612345678', label: '' },
    ]);
    expect(r.text).toBe(`${HTABLE_HEADER}+390212345678:0:0:Example Energia:0\n+33612345678:0:0:nuisance:0\n`);
    expect(r).toMatchObject({ written: 2, skipped: 0 });
  });

  it('leaves out keys Kamailio could never match (raw caller IDs, junk) and counts them', async () => {
    const r = await written([
      { number: 'raw:anonymous', label: 'x' },
      { number: '+39 02 1234', label: 'x' },
      { number: '+0123', label: 'x' },
      { number: '+390212345678:1:1', label: 'x' },
      { number: '+390212345678', label: 'ok' },
    ]);
    expect(r.text.split('\n').filter((l) => l !== '')).toEqual([HTABLE_HEADER.trim(), '+390212345678:0:0:ok:0']);
    expect(r).toMatchObject({ written: 1, skipped: 4 });
  });

  it('keeps a hostile company name from breaking the row: no separator, escape, line break or control character', () => {
    expect(htableValue('Evil:Energia\\n\nnext:row\r\t\u0000\u202e')).toBe('Evil Energia n next row');
    expect(htableValue(' \n:\\ ')).toBe('nuisance');
    expect(htableValue('Società Elettrica Italiana è già qui'.repeat(4))).toHaveLength(64);
  });
});
