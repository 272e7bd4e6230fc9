import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { groupListens, procAddress, waitGroupListens } from './group-sockets.js';
import { pickPorts } from './real-sip-tools.js';

const HOST = '127.0.0.2';
const connects = (port: number): Promise<string> =>
  new Promise((r) => {
    const s = connect({ host: HOST, port });
    s.once('connect', () => {
      s.destroy();
      r('connected');
    }).once('error', (e) => r(e.message));
  });

describe('procAddress', () => {
  it('writes host:port as /proc/net/udp and /proc/net/tcp do', () => {
    expect(procAddress('127.0.0.3', 25_268)).toBe('0300007F:62B4');
    expect(procAddress('10.1.2.254', 80)).toBe('FE02010A:0050');
  });
});

describe.skipIf(groupListens(process.pid, []) === null)('waitGroupListens', () => {
  it('returns once the group listens on TCP too, not once its UDP socket is bound (as Kamailio: UDP first, then TCP)', async () => {
    const [port = 0] = await pickPorts(1, [HOST], 26_100, 27_000);
    // Binds UDP at once, listens on TCP 400 ms later.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require('node:dgram').createSocket('udp4').bind(${port}, '${HOST}', () =>
          setTimeout(() => require('node:net').createServer().listen(${port}, '${HOST}'), 400));
        setTimeout(() => {}, 20000);`,
      ],
      { stdio: 'ignore', detached: true },
    );
    try {
      const pgid = child.pid ?? 0;
      const sockets = [
        { proto: 'udp', host: HOST, port },
        { proto: 'tcp', host: HOST, port },
      ] as const;
      await waitGroupListens(pgid, [sockets[0]], 5000);
      expect(groupListens(pgid, sockets)).toBe(false); // UDP bound, TCP not yet listening
      await waitGroupListens(pgid, sockets, 5000);
      expect(await connects(port)).toBe('connected');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("does not count another process's socket on the address", async () => {
    const [port = 0] = await pickPorts(1, [HOST], 26_100, 27_000);
    const other = createSocket('udp4');
    await new Promise<void>((bound) => other.bind(port, HOST, bound));
    try {
      expect(groupListens(process.pid + 1_000_000, [{ proto: 'udp', host: HOST, port }])).toBe(false);
      await expect(
        waitGroupListens(process.pid + 1_000_000, [{ proto: 'udp', host: HOST, port }], 100),
      ).rejects.toThrow(new RegExp(`does not listen on udp ${HOST.replaceAll('.', '\\.')}:${port} after 100 ms`));
    } finally {
      other.close();
    }
  });
});
