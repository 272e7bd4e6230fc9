/**
 * A client that closes the connection in the middle of an upload, over real HTTP (a raw socket that sends the
 * headers and part of the body, then closes): the service stays up (the reader's input failed with no listener: an
 * uncaught exception killed the process), the import ends as failed and frees its lock (the next import was refused
 * 409 "already running" until a restart), no error-level log line, no stack, and the job says what happened in the
 * page's words.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelSession, type PanelSession } from '../support/panel-session.js';
import { errorLines, startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';

const PASSWORD = 'cut-short-password';
let h: Harness;
let it_: PanelSession;
let en: PanelSession;

beforeAll(async () => {
  h = await startHarness({ ADMIN_PASSWORD: PASSWORD });
  it_ = await panelSession((path) => h.url(path), PASSWORD, 'it');
  en = await panelSession((path) => h.url(path), PASSWORD, 'en');
});
afterAll(async () => {
  await h.stop();
});

/** Sends `head` (the request line and headers) and `part` of a longer body, then closes the socket. */
async function closeMidBody(head: string[], part: string): Promise<void> {
  const port = Number(new URL(h.url('/')).port);
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined); // the server may answer (and close) first
  socket.write(`${head.join('\r\n')}\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n${part}`);
  // Let the server start the import on what arrived, then go away without the rest.
  await new Promise((resolve) => setTimeout(resolve, 150));
  socket.destroy();
}

/** The next import's status, once the cut one has ended (at most 3 s: it was 409 "already running" for ever). */
async function nextImport(): Promise<number> {
  for (let i = 0; ; i++) {
    const res = await fetch(h.url('/api/import?format=list'), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '0212345678\n',
    });
    await res.arrayBuffer();
    if (res.status !== 409 || i === 60) return res.status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The jobs the log says were cut short, newest last. */
function cutJobs(): string[] {
  return h.logs.filter((l) => l.msg === 'panel import cut short: the upload stopped').map((l) => String(l.job));
}

describe('a client that closes the connection mid-upload', () => {
  it.each([
    ['a plain list', '?format=list', '0212345678\n0287176900\n'],
    ['an Asterisk CDR (the CSV reader)', '?format=asterisk-cdr', '"","0212345678","0287176900"\n'],
    ['a FRITZ!Box phonebook (the XML reader)', '?format=fritzbox', '<?xml version="1.0"?>\n<phonebooks>\n'],
    ['a crocetta export (JSON Lines)', '?format=json', ''],
    ['a file whose format is told from its first bytes', '', '0212345678\n'],
  ])('POST /api/import, %s: the service stays up, the import ends, no stack is logged', async (_name, query, part) => {
    const cutBefore = cutJobs().length;
    await closeMidBody([`POST /api/import${query} HTTP/1.1`, `Authorization: Bearer ${TOKEN}`], part);
    // The lock is free again: the next import runs (was 409 "an import is already running" until a restart).
    expect(await nextImport()).toBe(200);
    expect(errorLines(h.logs)).toEqual([]);
    const cut = cutJobs().slice(cutBefore);
    expect(cut).toHaveLength(1);
    const job = (await (
      await fetch(h.url(`/api/import/jobs/${cut[0]}`), { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { state: string; errors: unknown };
    expect(job.state).toBe('failed');
    expect(job.errors).toEqual([
      {
        line: null,
        reason:
          'the upload stopped before the end of the file (the connection closed): nothing was imported, send the file again',
      },
    ]);
  });

  it("the import page's upload: the import ends, the page says why in its language, and the next one runs", async () => {
    for (const [session, said] of [
      [
        en,
        'the upload stopped before the end of the file (the connection closed): nothing was imported, send the file again',
      ],
      [
        it_,
        'il caricamento si è interrotto prima della fine del file (la connessione si è chiusa): non è stato importato nulla, invia di nuovo il file',
      ],
    ] as const) {
      const b = 'CutShort';
      const part =
        `--${b}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${session.csrf}\r\n` +
        `--${b}\r\nContent-Disposition: form-data; name="format"\r\n\r\nlist\r\n` +
        `--${b}\r\nContent-Disposition: form-data; name="file"; filename="numeri.txt"\r\nContent-Type: text/plain\r\n\r\n0212345678\n`;
      const cutBefore = cutJobs().length;
      await closeMidBody(
        [
          'POST /import?async=1 HTTP/1.1',
          `Cookie: ${session.cookie}`,
          'Accept: application/json',
          `X-CSRF-Token: ${session.csrf}`,
          `Content-Type: multipart/form-data; boundary=${b}`,
        ],
        part,
      );
      expect(await nextImport()).toBe(200);
      // The answer (202 and the job's link) went nowhere; the office finds the job's page again (?job=).
      const cut = cutJobs().slice(cutBefore);
      expect(cut).toHaveLength(1);
      const report = await fetch(h.url(`/import?job=${cut[0]}`), { headers: { cookie: session.cookie } });
      expect(report.status).toBe(200);
      expect(await report.text()).toContain(`<li>${said}</li>`);
    }
    expect(errorLines(h.logs)).toEqual([]);
  });
});
