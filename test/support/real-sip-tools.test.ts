import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  e2ePortRange,
  onPath,
  pickAddrs,
  pickBlock,
  pickPorts,
  portFree,
  realTools,
  REPO_ROOT,
  sipUri,
  startKamailio,
  udpBound,
} from './real-sip-tools.js';

describe('e2ePortRange (E2E_PORTS)', () => {
  it("is the test's own range without E2E_PORTS, else the one it names, both ends included", () => {
    expect(e2ePortRange(26_100, 27_000, {})).toEqual([26_100, 27_000]);
    expect(e2ePortRange(26_100, 27_000, { E2E_PORTS: ' 23000-23999 ' })).toEqual([23_000, 24_000]);
  });

  it('refuses what is no range of ports', () => {
    for (const bad of ['23000', '23999-23000', '80-90', '23000-70000', 'a-b'])
      expect(() => e2ePortRange(1, 2, { E2E_PORTS: bad })).toThrow(/E2E_PORTS=.*expected a range of ports/);
  });
});

describe('pickBlock', () => {
  it('gives the first of a run of free ports in the range (E2E_PORTS when set), none of them taken before', async () => {
    const [from, to] = e2ePortRange(26_100, 27_000);
    const taken = new Set<number>();
    const a = await pickBlock(4, ['127.0.0.1', '127.0.0.3'], 26_100, 27_000, taken);
    const b = await pickBlock(4, ['127.0.0.1', '127.0.0.3'], 26_100, 27_000, taken);
    for (const base of [a, b]) {
      expect(base).toBeGreaterThanOrEqual(from);
      expect(base + 4).toBeLessThanOrEqual(to);
      expect((base - from) % 10).toBe(0);
    }
    expect(Math.abs(a - b)).toBeGreaterThanOrEqual(4);
    expect([...taken].sort()).toEqual([a, a + 1, a + 2, a + 3, b, b + 1, b + 2, b + 3].sort());
    expect(await portFree('127.0.0.3', a + 3)).toBe(true);
  });
});

describe('pickAddrs', () => {
  it('gives each name an address on its own host, every port different and in the range (E2E_PORTS when set)', async () => {
    const [from, to] = e2ePortRange(26_100, 27_000);
    const addrs = await pickAddrs({ admin: '127.0.0.1', sip: '127.0.0.1', pbx: '127.0.0.3' }, 26_100, 27_000);
    expect(Object.keys(addrs)).toEqual(['admin', 'sip', 'pbx']);
    expect([addrs.admin.host, addrs.sip.host, addrs.pbx.host]).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.3']);
    const ports = Object.values(addrs).map((a) => a.port);
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(from);
      expect(port).toBeLessThan(to);
      // Free on every host named, not only on its own.
      expect(await portFree('127.0.0.3', port)).toBe(true);
    }
  });

  it('writes an address as the SIP URI the config takes', () => {
    expect(sipUri({ host: '127.0.0.2', port: 26_123 })).toBe('sip:127.0.0.2:26123');
  });
});

describe('the real-software tests keep to E2E_PORTS', () => {
  it('every test that starts drachtio-server, Kamailio or sipp picks its ports with pickPorts, pickBlock or pickAddrs', () => {
    const real = /startDrachtio\(|spawn\('drachtio'|startKamailio\(|runSipp\(|sippScenario\(|scenarioRunner\(/;
    const files = readdirSync(join(REPO_ROOT, 'test'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.test.ts'))
      .filter((f) => real.test(readFileSync(join(REPO_ROOT, 'test', f), 'utf8')));
    expect(files.length).toBeGreaterThanOrEqual(10);
    const own = files.filter(
      (f) => !/\bpick(Ports|Block|Addrs)\(/.test(readFileSync(join(REPO_ROOT, 'test', f), 'utf8')),
    );
    expect(own).toEqual([]);
  });

  it("so does every test that sets crocetta's RTP ports, and none makes a port of its own from Math.random", () => {
    const tests = readdirSync(join(REPO_ROOT, 'test'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => ({ f, text: readFileSync(join(REPO_ROOT, 'test', f), 'utf8') }));
    const rtp = tests.filter(({ text }) => /\bRTP_PORTS\b/.test(text));
    expect(rtp.map(({ f }) => f)).toEqual(expect.arrayContaining([join('browser', 'register-layout.test.ts')]));
    expect(rtp.filter(({ text }) => !/\bpickBlock\(/.test(text)).map(({ f }) => f)).toEqual([]);
    // A base port plus a random offset (as register-layout had, 34000 + 2 × random · 450): outside E2E_PORTS.
    const random = /\b[1-6]\d_?\d{3}\s*\+[^;\n]*Math\.random\(/;
    expect(tests.filter(({ text }) => random.test(text)).map(({ f }) => f)).toEqual([]);
  });
});

describe('realTools', () => {
  it('finds the tools that are here and names what is missing, for the title of a skipped test', () => {
    const here = realTools(['sh']);
    expect(here).toEqual({ bin: { sh: onPath('sh') }, missing: [], skipped: '' });
    expect(here.bin.sh).not.toBeNull();
    const absent = realTools(['sh', 'no-such-tool-4711'], ['/no/such/file.pcap']);
    expect(absent.bin['no-such-tool-4711']).toBeNull();
    expect(absent.missing).toEqual(['no-such-tool-4711', '/no/such/file.pcap']);
    expect(absent.skipped).toBe(' (skipped: no-such-tool-4711 not on PATH; /no/such/file.pcap missing)');
  });
});

const CARRIER_CFG = resolve(import.meta.dirname, '../../docs/pbx/kamailio-carrier.cfg');

describe.skipIf(onPath('kamailio') === null)('startKamailio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crocetta-kamailio-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns once Kamailio listens; stop() ends it and frees its port, twice safely', async () => {
    const [port = 0] = await pickPorts(1, ['127.0.0.2'], 26_100, 27_000);
    const k = await startKamailio(dir, { cfg: CARRIER_CFG, listen: { host: '127.0.0.2', port }, name: 'one' });
    expect(udpBound('127.0.0.2', port)).not.toBe(false);
    await k.stop();
    expect(udpBound('127.0.0.2', port)).not.toBe(true);
    await k.stop();
    expect(k.logFile).toBe(join(dir, 'one.log'));
  });

  it('throws with its log when its port was taken by another process meanwhile (it did return: the port was bound)', async () => {
    const [port = 0] = await pickPorts(1, ['127.0.0.2'], 26_100, 27_000);
    const other = createSocket('udp4');
    await new Promise<void>((bound) => other.bind(port, '127.0.0.2', bound));
    try {
      await expect(
        startKamailio(dir, { cfg: CARRIER_CFG, listen: { host: '127.0.0.2', port }, name: 'taken' }, 5000),
      ).rejects.toThrow(/kamailio exited at start[\s\S]*127\.0\.0\.2/);
    } finally {
      other.close();
    }
  });

  it('throws with its log when Kamailio refuses its configuration', async () => {
    const cfg = join(dir, 'broken.cfg');
    writeFileSync(cfg, '#!KAMAILIO\nlisten=SIP_LISTEN\nloadmodule "no-such-module.so"\n');
    const [port = 0] = await pickPorts(1, ['127.0.0.2'], 26_100, 27_000);
    await expect(
      startKamailio(dir, { cfg, listen: { host: '127.0.0.2', port }, name: 'broken' }, 5000),
    ).rejects.toThrow(/kamailio exited at start[\s\S]*no-such-module/);
  });
});
