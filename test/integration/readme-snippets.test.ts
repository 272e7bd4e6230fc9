/**
 * The API examples of the docs (docs/operations.md, moved there from the README) run as written (curl against the
 * real app), so they cannot drift from the code.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics.js';
import { newAttempt } from '../../src/store/test-fixtures.js';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const run = promisify(execFile);

/** The first shell block after `heading` in `page` (a path from the repository's root). */
function snippetAfter(page: string, heading: string): string {
  const text = readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8');
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`no ${heading} in ${page}`);
  const m = /```sh\n([\s\S]*?)```/.exec(text.slice(at));
  if (!m?.[1]) throw new Error(`no sh block after ${heading} in ${page}`);
  return m[1];
}

describe('the docs snippets', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('the JSON API examples work as written', async () => {
    const script = snippetAfter('docs/operations.md', '# JSON API and operations').replaceAll(
      'http://127.0.0.1:3000',
      h.url(''),
    );
    // Each curl prints one JSON document; `set -e` makes any failure (e.g. curl -f on 4xx) fail the test.
    const { stdout } = await run(
      'bash',
      ['-c', `set -euo pipefail\n${script.replaceAll('curl -s ', "curl -sf -w '\\n' ")}`],
      {
        env: { ...process.env, TOKEN },
        timeout: 10_000,
      },
    );
    const docs = stdout
      .trim()
      .split(/\n(?=\{)/)
      .map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(docs).toHaveLength(6);
    expect(docs[0]).toMatchObject({
      number: '+390212345678',
      verdict: 'nuisance',
      mark: { company: 'Example Energia' },
    });
    expect(docs[1]).toMatchObject({ number: '+390212345678', verdict: 'nuisance' });
    expect(docs[2]).toHaveProperty('attempts');
    expect(docs[3]).toMatchObject({
      since: '2026-11-01',
      until: '2026-11-30',
      category: 'energy',
      companies: [{ company: 'Example Energia', attempts: 0 }],
    });
    expect(docs[4]).toMatchObject({ since: '2026-11-01', numbers: [] });
    expect(docs[5]).toMatchObject({ since: '2026-11-01', until: '2026-11-30', companies: [], categories: [] });
  });

  it('the paging loop reads every attempt once (jq, as docs/operations.md uses it)', async () => {
    const t = Date.parse('2026-11-03T10:00:00+01:00');
    const ids = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => h.app.register.record(newAttempt(`+39029876000${i}`, t + (i % 2) * 1000))),
    );
    const script = snippetAfter('docs/operations.md', '- **Paging the register**')
      .replaceAll('http://127.0.0.1:3000', h.url(''))
      .replace('limit=1000', 'limit=2');
    const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${script.replaceAll('curl -s ', 'curl -sf ')}`], {
      env: { ...process.env, TOKEN },
      timeout: 10_000,
    });
    const seen = stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: number }).id);
    expect(seen.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('the metrics the docs name', () => {
  /** Every `.ts` file under src/, recursively. */
  function sources(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  }

  it('exist under those names (an alert on a name crocetta does not serve never fires)', async () => {
    const root = new URL('../../', import.meta.url).pathname;
    const docs = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)]
      .filter((f) => f.endsWith('.md'))
      .map((f) => readFileSync(join(root, f), 'utf8'))
      .join('\n');
    const declared = new Set(
      sources(join(root, 'src')).flatMap((f) =>
        [...readFileSync(f, 'utf8').matchAll(/name: '(crocetta_[a-z0-9_]+)'/g)].map((m) => m[1]),
      ),
    );
    // prom-client's process and Node.js metrics, served with crocetta's prefix (histograms add _bucket/_sum/_count).
    for (const m of await createMetrics({ defaultMetrics: true }).registry.getMetricsAsJSON()) declared.add(m.name);
    const named = new Set([...docs.matchAll(/`(crocetta_[a-z0-9_]+)/g)].map((m) => m[1] ?? ''));
    expect(named.size).toBeGreaterThan(10);
    expect([...named].filter((n) => !declared.has(n) && !declared.has(n.replace(/_(bucket|sum|count)$/, '')))).toEqual(
      [],
    );
    // A process or Node.js metric without the prefix is not served at all.
    expect([...docs.matchAll(/`((?:process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1])).toEqual([]);
  });
});
