/**
 * The modules every screened call runs through build their objects without object spread (`{ ...a, ...b }`,
 * `{ ...a, key }`): on Node 20 the decision line's `{ ...bindings, ...fields }` (12 fields) took 15-45 µs a call
 * against 0.3-0.5 µs for the same object made with Object.assign (measured side by side, hot; more at 100 calls/s,
 * cold), the largest single cost in the making of the decision line. This reads the sources (TypeScript's parser)
 * so a spread put back on the call's path is seen here, not only as CPU in bench:sip.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The SIP adapter's modules on every screened request's path (handle-request.ts and what it calls per call). */
const PER_CALL = [
  'handle-request.ts',
  'call-plan.ts',
  'carry-out.ts',
  'refuse-call.ts',
  'forward-call.ts',
  'forwarded-calls.ts',
  'transactions.ts',
  'srf-internals.ts',
];

const SRC = join(HERE, '..');

/**
 * The decision's modules, as paths under src/: what the call's caller ID, evidence, classification and policy run
 * through before the answer, and the in-memory index the register updates after it. Whole folders, so a module
 * added there is covered; left out: test fixtures and the index's start-up load (load-index.ts), run once.
 */
const DECISION_DIRS = ['callerid', 'screening', 'store/memory', 'policy'];
const NOT_PER_CALL = new Set(['screening/test-fixtures.ts', 'store/memory/load-index.ts']);
const DECISION = [
  ...DECISION_DIRS.flatMap((dir) =>
    readdirSync(join(SRC, dir))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => `${dir}/${f}`),
  ).filter((f) => !NOT_PER_CALL.has(f)),
  'sip/screen.ts',
  'sip/request-headers.ts',
  'sharing/feeds/friend-index.ts',
];

/** `line:column  text` of every object spread in a source text. */
export function objectSpreads(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isSpreadAssignment(node)) {
      const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push(`${line + 1}:${character + 1}  ${node.getText(source)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('objects on the call path', () => {
  it('sees an object spread (the check itself)', () => {
    expect(objectSpreads('x.ts', 'const a = { ...b, ...c };\nconst d = [...e];\nf(...g);')).toEqual([
      '1:13  ...b',
      '1:19  ...c',
    ]);
  });

  it.each(PER_CALL)('%s builds no object by spread', (file) => {
    expect(objectSpreads(file, readFileSync(join(HERE, file), 'utf8'))).toEqual([]);
  });

  it('covers the decision modules (their folders are read, not empty)', () => {
    expect(DECISION).toContain('screening/classify.ts');
    expect(DECISION).toContain('callerid/identify-caller.ts');
    expect(DECISION).toContain('store/memory/evidence-index.ts');
    expect(DECISION.length).toBeGreaterThan(40);
  });

  it.each(DECISION)('decision module %s builds no object by spread', (file) => {
    expect(objectSpreads(file, readFileSync(join(SRC, file), 'utf8'))).toEqual([]);
  });
});
