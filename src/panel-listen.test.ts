import { Writable } from 'node:stream';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { listen } from './app.js';
import { createLogger } from './log.js';

describe("the panel's listening socket", () => {
  it('logs a failed accept and goes on serving, where an error with no listener stopped the service', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = express();
    app.get('/ping', (_req, res) => res.send('pong'));
    const http = await listen(app, { host: '127.0.0.1', port: 0 }, createLogger('info', sink));
    try {
      // What Node emits on the server when accept(2) fails once it listens (net.js onconnection).
      const accept = Object.assign(new Error('accept ENFILE'), { code: 'ENFILE', errno: -23, syscall: 'accept' });
      expect(() => http.emit('error', accept)).not.toThrow();
      const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; err?: { code?: string } });
      expect(logged.find((l) => l.level === 50)).toMatchObject({ err: { code: 'ENFILE' } });
      const port = (http.address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/ping`);
      expect(await res.text()).toBe('pong');
    } finally {
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });
});
