import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFailureText, warnIfDrachtioUnreachable } from './start-failure.js';

/** The error Node gives a server whose port is held (the real one, not a copy). */
async function listenError(port: number, host = '127.0.0.1'): Promise<unknown> {
  const second = createServer();
  return new Promise((resolve) => {
    second.once('error', resolve);
    second.listen(port, host, () => {
      second.close();
      resolve(null);
    });
  });
}

describe('a start that fails on the machine, not on a bug', () => {
  afterEach(() => vi.useRealTimers());

  it('names the port, the variable that chose it and a way out when the port is taken', async () => {
    const held = createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
    const port = (held.address() as { port: number }).port;
    try {
      const err = await listenError(port);
      const panel = { panel: { host: '127.0.0.1', port } } as Parameters<typeof startFailureText>[1];
      const fromEnv = startFailureText(err, panel, { PANEL_PORT: String(port) });
      expect(fromEnv).toContain(`the panel cannot listen on 127.0.0.1:${port}: port ${port} is already in use`);
      expect(fromEnv).toContain(`The port comes from PANEL_PORT=${port}.`);
      expect(fromEnv).toContain(`PANEL_PORT=${port + 1}`);
      expect(startFailureText(err, panel, {})).toContain('The port comes from panel.port (default or CROCETTA_CONFIG');
    } finally {
      held.close();
    }
  });

  it('says what PANEL_HOST is wrong, and keeps any other error to itself', async () => {
    const err = await listenError(0, '192.0.2.1'); // TEST-NET-1: never an address of this machine
    const text = startFailureText(err, { panel: { host: '192.0.2.1', port: 3000 } } as never, {
      PANEL_HOST: '192.0.2.1',
    });
    expect(text).toMatch(/192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\)/);
    expect(text).toContain('PANEL_HOST=192.0.2.1');
    expect(
      startFailureText(new Error('disk full'), { panel: { host: '0.0.0.0', port: 3000 } } as never, {}),
    ).toBeNull();
  });

  it('warns once, naming DRACHTIO_HOST and DRACHTIO_PORT, when drachtio-server is still not reached', () => {
    vi.useFakeTimers();
    const warn = vi.fn();
    const link = { connected: false, refused: false };
    warnIfDrachtioUnreachable(link, { host: '127.0.0.1', port: 9023 }, { DRACHTIO_PORT: '9023' }, { warn });
    vi.advanceTimersByTime(14_000);
    expect(warn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toMatch(/^not connected to drachtio-server at 127\.0\.0\.1:9023 after 15 s/);
    expect(warn.mock.calls[0]?.[1]).toContain('drachtio.host (default or CROCETTA_CONFIG');
    expect(warn.mock.calls[0]?.[1]).toContain('DRACHTIO_PORT=9023');
    vi.advanceTimersByTime(60_000);
    expect(warn).toHaveBeenCalledTimes(1);

    const quiet = vi.fn();
    link.connected = true;
    warnIfDrachtioUnreachable(link, { host: '127.0.0.1', port: 9022 }, {}, { warn: quiet });
    const cancelled = vi.fn();
    const cancel = warnIfDrachtioUnreachable(
      { connected: false, refused: false },
      { host: '127.0.0.1', port: 9022 },
      {},
      { warn: cancelled },
    );
    cancel();
    vi.advanceTimersByTime(20_000);
    expect(quiet).not.toHaveBeenCalled();
    expect(cancelled).not.toHaveBeenCalled();
  });

  it("after a refused secret, the warning points at the secret, not at drachtio-server's address", () => {
    vi.useFakeTimers();
    const warn = vi.fn();
    warnIfDrachtioUnreachable(
      { connected: false, refused: true },
      { host: '127.0.0.1', port: 9022 },
      { DRACHTIO_SECRET: 'not-the-one' },
      { warn },
    );
    vi.advanceTimersByTime(15_000);
    expect(warn).toHaveBeenCalledTimes(1);
    const said = String(warn.mock.calls[0]?.[1]);
    expect(said).toMatch(/^not connected to drachtio-server at 127\.0\.0\.1:9022 after 15 s/);
    expect(said).toContain("refuses crocetta's secret");
    expect(said).toContain("crocetta's comes from DRACHTIO_SECRET.");
    expect(said).not.toContain('Is drachtio-server running');
    expect(said).not.toContain('not-the-one');
  });
});
