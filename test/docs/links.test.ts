/**
 * Every relative link and anchor in the project's documentation lands: README.md, CHANGELOG.md and every page under
 * docs/ (docs/pbx included). A link to a file must name one that exists; a `#anchor` must be a heading of the page
 * it points to, slugged as GitHub does (lower case, punctuation dropped, spaces to hyphens, `-1`, `-2` for repeats).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

/** The Markdown files checked, relative to the repository's root. */
function markdownFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
    );
  return ['README.md', 'CHANGELOG.md', ...walk('docs')];
}

/** The text outside fenced code blocks and inline code spans, where links and headings are read. */
function prose(text: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^ *(`{3,}|~{3,})/.exec(line);
    if (m?.[1]) {
      if (fence === null) fence = m[1];
      else if (m[1].startsWith(fence)) fence = null;
      lines.push('');
      continue;
    }
    lines.push(fence === null ? line.replace(/(`+)[\s\S]*?\1/g, '') : '');
  }
  return lines;
}

/** GitHub's anchor for a heading's text. */
function slug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a page offers: its headings' slugs, repeats numbered as GitHub numbers them. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const f = /^ *(`{3,}|~{3,})/.exec(line);
    if (f?.[1]) {
      if (fence === null) fence = f[1];
      else if (f[1].startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^#{1,6} +(.*?) *#* *$/.exec(line);
    if (!h) continue;
    const base = slug(h[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every link target of a page: inline `[text](target)` and reference definitions `[name]: target`. */
function links(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  prose(text).forEach((line, i) => {
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      out.push({ line: i + 1, target: m[1] ?? '' });
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
    if (def?.[1]) out.push({ line: i + 1, target: def[1] });
  });
  return out;
}

/** The links of `file` that do not land, as `file:line target (why)`. */
function brokenLinks(file: string, read: (f: string) => string = (f) => readFileSync(join(root, f), 'utf8')): string[] {
  const broken: string[] = [];
  const headings = new Map<string, Set<string>>();
  const anchorsOf = (f: string): Set<string> =>
    headings.get(f) ?? headings.set(f, anchors(read(f))).get(f) ?? new Set();
  for (const { line, target } of links(read(file))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:…: not ours to check
    const [path = '', anchor] = target.split('#', 2);
    const dest = path === '' ? file : relative(root, join(root, dirname(file), decodeURIComponent(path)));
    if (dest.startsWith('..') || !existsSync(join(root, dest))) {
      broken.push(`${file}:${line} ${target} (no such file)`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(join(root, dest)).isDirectory() || !dest.endsWith('.md')) {
      broken.push(`${file}:${line} ${target} (an anchor into a file that is not Markdown)`);
      continue;
    }
    if (!anchorsOf(dest).has(decodeURIComponent(anchor))) broken.push(`${file}:${line} ${target} (no such heading)`);
  }
  return broken;
}

describe('the documentation’s links', () => {
  it('slugs headings as GitHub does', () => {
    expect(slug('Durability: what the register keeps, and when')).toBe('durability-what-the-register-keeps-and-when');
    expect(slug('Session 43: migration 11 in bulk (tidy43: landed, 10.8 s → 3.4 s on a million marks)')).toBe(
      'session-43-migration-11-in-bulk-tidy43-landed-108-s--34-s-on-a-million-marks',
    );
    expect(slug("Friends' feeds (`crocetta-feed`, version 1)")).toBe('friends-feeds-crocetta-feed-version-1');
  });

  it('finds a broken anchor and a missing file', () => {
    const pages: Record<string, string> = {
      'README.md': '# crocetta\n\n## Quick start\n\n[ok](#quick-start) [bad](#quick-stat) [gone](docs/nowhere.md)\n',
    };
    expect(brokenLinks('README.md', (f) => pages[f] ?? readFileSync(join(root, f), 'utf8'))).toEqual([
      'README.md:5 #quick-stat (no such heading)',
      'README.md:5 docs/nowhere.md (no such file)',
    ]);
  });

  for (const file of markdownFiles()) {
    it(`land, from ${file}`, () => {
      expect(brokenLinks(file)).toEqual([]);
    });
  }
});
