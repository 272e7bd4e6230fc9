import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { ImportRejectedError } from '../sharing/import.js';
import { RegisterUnavailableError } from '../store/register/register.js';
import { errorHandler } from './error-handler.js';
import type { Lang } from './i18n.js';

/** An app whose routes fail as the panel's can, with the panel's error handler; `?lang=` is the office's language. */
const app = express();
app.get(['/boom', '/api/boom'], () => {
  throw new Error('database exploded');
});
app.get(['/refused', '/api/refused'], () => {
  throw new ImportRejectedError(3, 'not a phone number (not-a-number): "abc"');
});
/** Errors as body-parser (raw-body beneath it) passes them on: a status, a type, the library's English. */
const BODY_ERRORS: Record<string, [number, string]> = {
  'request.aborted': [400, 'request aborted'],
  'request.size.invalid': [400, 'request size did not match content length'],
};
app.get(['/body/:type', '/api/body/:type'], (req) => {
  const type = String(req.params.type);
  const [status, message] = BODY_ERRORS[type] ?? [500, 'unknown'];
  throw Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
});
app.get('/register-full', () => {
  throw new RegisterUnavailableError();
});
app.use(
  errorHandler(pino({ level: 'silent' }), {
    page: (_req, status, message) => `<h1>${status}</h1><p>${message}</p>`,
    langOf: (req): Lang => (req.query.lang === 'en' ? 'en' : 'it'),
  }),
);

let server: ReturnType<typeof app.listen>;
let base = '';
beforeAll(async () => {
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function get(path: string, accept = 'text/html'): Promise<{ status: number; body: string }> {
  const res = await fetch(base + path, { headers: { accept } });
  return { status: res.status, body: await res.text() };
}

describe("the error handler speaks the office's language on pages, English on the JSON API", () => {
  it('says an internal error in Italian, without the cause', async () => {
    const page = await get('/boom');
    expect(page.status).toBe(500);
    expect(page.body).toContain('Errore interno: la richiesta non è andata a buon fine. Riprova');
    expect(page.body).not.toContain('exploded');
    // The English page in the page's words (was the API's 'internal error'); the API keeps its own.
    expect((await get('/boom?lang=en')).body).toContain(
      '<p>Internal error: the request did not go through. Try again; if it happens again, the service log says why.</p>',
    );
    expect(await get('/api/boom', 'application/json')).toEqual({ status: 500, body: '{"error":"internal error"}' });
  });

  it('says a refused import and a register that cannot write in Italian', async () => {
    const refused = await get('/refused');
    expect(refused.status).toBe(422);
    expect(refused.body).toContain(
      'Importazione rifiutata, nulla è stato importato: riga 3: non è un numero di telefono (contiene lettere): "abc"',
    );
    // The English page in the page's words (was the CLI's `import refused: line 3: not a phone number (not-a-number)`).
    expect((await get('/refused?lang=en')).body).toContain(
      '<p>Import refused, nothing was imported: line 3: not a phone number (contains letters): "abc"</p>',
    );
    expect((await get('/api/refused', 'application/json')).body).toContain(
      'import refused: line 3: not a phone number (not-a-number)',
    );
    const full = await get('/register-full');
    expect(full.status).toBe(503);
    expect(full.body).toContain('Il registro non può scrivere in questo momento');
  });

  it("says a body cut short in the page's words, status kept; the API in the words it answered", async () => {
    // Neither reaches a reader over HTTP (Node's parser answers a wrong length itself; an aborted client is gone):
    // what the handler would answer is checked here, test/integration/panel-body-errors.test.ts the rest.
    expect(await get('/body/request.aborted')).toEqual({
      status: 400,
      body: '<h1>400</h1><p>Il modulo è arrivato a metà (la connessione si è chiusa prima della fine): invialo di nuovo.</p>',
    });
    expect((await get('/body/request.size.invalid?lang=en')).body).toBe(
      '<h1>400</h1><p>The form did not arrive whole (it was shorter or longer than announced): send it again.</p>',
    );
    expect(await get('/api/body/request.aborted', 'application/json')).toEqual({
      status: 400,
      body: '{"error":"request aborted"}',
    });
    expect(await get('/api/body/request.size.invalid', 'application/json')).toEqual({
      status: 400,
      body: '{"error":"request size did not match content length"}',
    });
  });
});

describe('an error after the answer has begun (a streamed export whose read fails midway)', () => {
  it('is logged once through the log and cuts the connection, without answering a second time', async () => {
    const lines: string[] = [];
    const passedOn: unknown[] = [];
    const streaming = express();
    streaming.get('/api/export', async (_req, res) => {
      res.type('text/csv');
      res.write('number,company\n+390612345678,Example Energia\n');
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('SQLITE_IOERR: disk I/O error');
    });
    streaming.use(errorHandler(pino({ level: 'info' }, { write: (line: string) => lines.push(line) })));
    // Whatever the handler passes on would reach Express's last handler, which prints its stack outside the log.
    streaming.use(((err, _req, _res, next) => {
      passedOn.push(err);
      next(err);
    }) as express.ErrorRequestHandler);
    const server = streaming.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/export`);
      expect(res.status).toBe(200); // the head had gone out before the failure
      // The body is cut short, never ended as if whole (a client saving it can tell: curl exits 18).
      await expect(res.text()).rejects.toThrow();
      expect(passedOn).toEqual([]);
      const logged = lines.map((line) => JSON.parse(line) as { msg: string; path: string; err: { message: string } });
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        msg: 'panel answer failed after it had begun: connection cut',
        path: '/api/export',
        err: { message: 'SQLITE_IOERR: disk I/O error' },
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
