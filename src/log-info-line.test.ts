import { pino, type Logger, type LoggerOptions } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, infoLine } from './log.js';

/** A pino logger writing its lines into `lines`, its time fixed (lines compared byte for byte). */
function collecting(options: LoggerOptions = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino(
    { level: 'info', base: { app: 'crocetta' }, timestamp: () => ',"time":1764756000000', ...options },
    { write: (line: string) => void lines.push(line) },
  );
  return { logger, lines };
}

/** A decision line's object, with the strings a SIP header may bring. */
const DECISION = {
  callId: 'a"b\\c\u0001d\n@203.0.113.10',
  kind: 'call',
  caller: '+390298765432',
  called: null,
  verdict: 'nuisance',
  score: 0.912,
  reasons: ['segnalato come molesto dall\u2019ufficio (2 dic)', 'chiamate: 3 oggi \u{1F4DE}', '</script>'],
  action: 'reject',
  sent: 'reject 607',
  withheld: false,
  failOpen: false,
  ms: 0.3,
  skipped: undefined,
  notFinite: Number.NaN,
  nested: { a: [1, 'x', null] },
};

describe('infoLine: the decision line written as pino writes it, serialized by one JSON.stringify', () => {
  it('writes byte for byte the line pino writes, through a logger and through its child', () => {
    const viaPino = collecting();
    const direct = collecting();
    viaPino.logger.info({ ...DECISION }, 'decision');
    infoLine(direct.logger, { ...DECISION }, 'decision');
    expect(direct.lines).toEqual(viaPino.lines);
    expect(JSON.parse(direct.lines[0] ?? '')).toMatchObject({
      level: 30,
      app: 'crocetta',
      msg: 'decision',
      called: null,
    });

    viaPino.logger.child({ component: 'sip' }).info({ verdict: 'unknown' }, 'decision');
    infoLine(direct.logger.child({ component: 'sip' }), { verdict: 'unknown' }, 'decision');
    infoLine(direct.logger, {}, 'nothing else');
    viaPino.logger.info({}, 'nothing else');
    expect(direct.lines).toEqual(viaPino.lines);
  });

  it('leaves the line to pino where pino would change it: a redacted key, an error, a mixin, a level that is off', () => {
    const redact = { paths: ['config.secret'], censor: '[redacted]' };
    const viaPino = collecting({ redact, mixin: () => ({ extra: 1 }) });
    const direct = collecting({ redact, mixin: () => ({ extra: 1 }) });
    viaPino.logger.info({ verdict: 'unknown' }, 'decision');
    infoLine(direct.logger, { verdict: 'unknown' }, 'decision');
    const plain = collecting({ redact });
    infoLine(plain.logger, { config: { secret: 's3cret' } }, 'config');
    infoLine(plain.logger, { err: new Error('boom') }, 'failed');
    expect(direct.lines).toEqual(viaPino.lines);
    expect(JSON.parse(direct.lines[0] ?? '')).toMatchObject({ extra: 1 });
    expect(JSON.parse(plain.lines[0] ?? '')).toMatchObject({ config: { secret: '[redacted]' } });
    expect(JSON.parse(plain.lines[1] ?? '')).toMatchObject({ err: { message: 'boom', type: 'Error' } });
    const quiet = collecting({ level: 'warn' });
    infoLine(quiet.logger, { verdict: 'unknown' }, 'decision');
    expect(quiet.lines).toEqual([]);
  });

  it("through the service's logger given a destination (the tests' harness), the same line as its info()", () => {
    const lines: string[] = [];
    const sink = { write: (line: string) => void lines.push(line) } as unknown as NodeJS.WritableStream;
    const logger = createLogger('info', sink);
    infoLine(logger, { verdict: 'nuisance', reasons: ['a'] }, 'decision');
    logger.info({ verdict: 'nuisance', reasons: ['a'] }, 'decision');
    const [a, b] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).toEqual({ ...b, time: a?.time });
    expect(Object.keys(a ?? {})).toEqual(Object.keys(b ?? {}));
  });

  it('leaves to pino a line whose fields JSON.stringify refuses (a BigInt, a cycle): the line is written, not lost', () => {
    const viaPino = collecting();
    const direct = collecting();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const fields of [
      { callId: 'x', big: 10n },
      { callId: 'y', cyclic },
    ]) {
      viaPino.logger.info({ ...fields }, 'decision');
      infoLine(direct.logger, { ...fields }, 'decision');
    }
    expect(direct.lines).toHaveLength(2);
    expect(direct.lines).toEqual(viaPino.lines);
  });
});
