import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { e2ePortRange, onPath, pickPorts, realTools, startKamailio, udpBound } from './real-sip-tools.js';

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

  it('throws with its log when Kamailio refuses its configuration', async () => {
    const cfg = join(dir, 'broken.cfg');
    writeFileSync(cfg, '#!KAMAILIO\nlisten=SIP_LISTEN\nloadmodule "no-such-module.so"\n');
    const [port = 0] = await pickPorts(1, ['127.0.0.2'], 26_100, 27_000);
    await expect(
      startKamailio(dir, { cfg, listen: { host: '127.0.0.2', port }, name: 'broken' }, 5000),
    ).rejects.toThrow(/kamailio exited at start[\s\S]*no-such-module/);
  });
});
