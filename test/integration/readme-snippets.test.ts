/**
 * The README's API examples run as written (curl against the real app), so they cannot drift from the code.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const run = promisify(execFile);

/** The shell block of the README section that starts with `heading`. */
function snippetAfter(heading: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  if (!m?.[1]) throw new Error(`no sh block after ${heading}`);
  return m[1];
}

describe('README snippets', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('the JSON API examples work as written', async () => {
    const script = snippetAfter('## JSON API and operations').replaceAll('http://127.0.0.1:3000', h.url(''));
    // Each curl prints one JSON document; `set -e` makes any failure (e.g. curl -f on 4xx) fail the test.
    const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${script.replaceAll('curl -s ', "curl -sf -w '\\n' ")}`], {
      env: { ...process.env, TOKEN },
      timeout: 10_000,
    });
    const docs = stdout.trim().split(/\n(?=\{)/).map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(docs).toHaveLength(6);
    expect(docs[0]).toMatchObject({ number: '+390212345678', verdict: 'nuisance', mark: { company: 'Example Energia' } });
    expect(docs[1]).toMatchObject({ number: '+390212345678', verdict: 'nuisance' });
    expect(docs[2]).toHaveProperty('attempts');
    expect(docs[3]).toMatchObject({ since: '2026-11-01', until: '2026-11-30', category: 'energy', companies: [{ company: 'Example Energia', attempts: 0 }] });
    expect(docs[4]).toMatchObject({ since: '2026-11-01', numbers: [] });
    expect(docs[5]).toMatchObject({ since: '2026-11-01', until: '2026-11-30', companies: [], categories: [] });
  });
});
