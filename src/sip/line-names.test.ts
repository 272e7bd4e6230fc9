import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/loader.js';
import { createLogger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { trunkAccounts } from '../trunk/settings.js';
import { LINE_NAMES_REFRESH_MS, watchLineNames, type LookupAll } from './line-names.js';
import { createTrunkInbound, lineOf } from './trunk-inbound.js';

/** Two lines with the user name 0612345678: carrier A's (the first), carrier B's (`0612345678-2`). */
function twoLines(env: Record<string, string>) {
  return createTrunkInbound(
    trunkAccounts(
      loadConfig({
        env: {
          TRUNK_REGISTRAR: 'sip:registrar.carrier-a.test',
          TRUNK_USERNAME: '0612345678',
          TRUNK_PASSWORD: 's3cret',
          ...{ TRUNK_2_USERNAME: '0612345678', TRUNK_2_PASSWORD: 'pw-2' },
          TRUNK_2_REGISTRAR: 'sip:Registrar.Carrier-B.test:5070',
          ...env,
        },
      }).trunk,
    ),
    createMetrics(),
  );
}

/** A logger whose lines are kept as `level msg`, with their fields. */
function recording() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  } as unknown as NodeJS.WritableStream);
  return { logger, lines };
}

/** A resolver answering from `table` (a name not in it, or an Error, fails), and the names it was asked. */
function resolver(table: Record<string, readonly string[] | Error>) {
  const asked: string[] = [];
  const lookupAll: LookupAll = (name) => {
    asked.push(name);
    const answer = table[name];
    if (answer === undefined) return Promise.reject(new Error(`getaddrinfo ENOTFOUND ${name}`));
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { lookupAll, asked };
}

const PLAIN = 'sip:0612345678@10.0.0.5:5060';
const TO = '<sip:0612345678@10.0.0.5>';

afterEach(() => {
  vi.useRealTimers();
});

describe("the lines' registrar and proxy names, resolved for lineOf", () => {
  it('tells a call by its source being one of the addresses a registrar or proxy name resolved to', async () => {
    const inbound = twoLines({ TRUNK_2_URI: 'sip:sbc.carrier-b.test' });
    const { lookupAll, asked } = resolver({
      'registrar.carrier-a.test': ['127.0.0.2'],
      'registrar.carrier-b.test': ['127.0.0.3'],
      'sbc.carrier-b.test': ['127.0.0.4', '2001:DB8::4'],
    });
    const { logger } = recording();
    const names = watchLineNames(inbound, { logger, lookupAll });
    // Not resolved yet: nothing tells (before, names were never resolved: always so).
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.3')).toBeNull();
    await names?.refresh();
    expect(asked.sort()).toEqual(['registrar.carrier-a.test', 'registrar.carrier-b.test', 'sbc.carrier-b.test']);
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.2')).toBe('0612345678');
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.3')).toBe('0612345678-2');
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.4')).toBe('0612345678-2');
    expect(lineOf(inbound, PLAIN, TO, '2001:db8::4')).toBe('0612345678-2');
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.9')).toBeNull();
  });

  it('resolves localhost with the system resolver', async () => {
    const inbound = twoLines({ TRUNK_REGISTRAR: 'sip:127.0.0.2', TRUNK_2_REGISTRAR: 'sip:localhost:5070' });
    const { logger, lines } = recording();
    await watchLineNames(inbound, { logger })?.refresh();
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.1')).toBe('0612345678-2');
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.2')).toBe('0612345678');
    expect(lines.find((l) => l.name === 'localhost')?.addresses).toContain('127.0.0.1');
  });

  it('logs a failed lookup once, keeps the addresses it had, and takes the new ones when it answers again', async () => {
    const inbound = twoLines({ TRUNK_REGISTRAR: 'sip:127.0.0.2' });
    const table: Record<string, readonly string[] | Error> = { 'registrar.carrier-b.test': ['127.0.0.3'] };
    const { lookupAll } = resolver(table);
    const { logger, lines } = recording();
    const names = watchLineNames(inbound, { logger, lookupAll });
    await names?.refresh();
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.3')).toBe('0612345678-2');

    table['registrar.carrier-b.test'] = new Error('queryA ETIMEOUT registrar.carrier-b.test');
    await names?.refresh();
    await names?.refresh();
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ name: 'registrar.carrier-b.test', keeping: ['127.0.0.3'] });
    expect(String(warnings[0]?.msg)).toContain('cannot resolve registrar.carrier-b.test');
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.3')).toBe('0612345678-2');

    table['registrar.carrier-b.test'] = ['127.0.0.5'];
    await names?.refresh();
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.5')).toBe('0612345678-2');
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.3')).toBeNull();
    expect(lines.at(-1)).toMatchObject({ level: 30, name: 'registrar.carrier-b.test', addresses: ['127.0.0.5'] });
  });

  it('looks the names up at start and every LINE_NAMES_REFRESH_MS until stopped, a call never waiting for it', async () => {
    vi.useFakeTimers();
    const inbound = twoLines({ TRUNK_REGISTRAR: 'sip:127.0.0.2' });
    const asked: string[] = [];
    let answer: (addresses: readonly string[]) => void = () => undefined;
    const lookupAll: LookupAll = (name) => {
      asked.push(name);
      return new Promise((resolve) => (answer = resolve));
    };
    const names = watchLineNames(inbound, { logger: recording().logger, lookupAll });
    names?.start();
    expect(asked).toEqual(['registrar.carrier-b.test']);
    // The lookup has not answered: a call is told by its other marks at once.
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.3')).toBeNull();
    answer(['127.0.0.3']);
    await vi.advanceTimersByTimeAsync(0);
    expect(lineOf(inbound, PLAIN, TO, '127.0.0.3')).toBe('0612345678-2');
    await vi.advanceTimersByTimeAsync(LINE_NAMES_REFRESH_MS - 1);
    expect(asked).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toHaveLength(2);
    answer(['127.0.0.3']);
    names?.stop();
    await vi.advanceTimersByTimeAsync(3 * LINE_NAMES_REFRESH_MS);
    expect(asked).toHaveLength(2);
  });

  it('has nothing to do when every registrar and proxy is an IP address, or no user name is shared', () => {
    const { logger } = recording();
    expect(
      watchLineNames(twoLines({ TRUNK_REGISTRAR: 'sip:127.0.0.2', TRUNK_2_REGISTRAR: 'sip:127.0.0.3' }), { logger }),
    ).toBeNull();
    const single = createTrunkInbound(
      trunkAccounts(
        loadConfig({
          env: { TRUNK_REGISTRAR: 'sip:registrar.carrier-a.test', TRUNK_USERNAME: 'u', TRUNK_PASSWORD: 'p' },
        }).trunk,
      ),
      createMetrics(),
    );
    expect(watchLineNames(single, { logger })).toBeNull();
  });
});
