/**
 * The Kamailio front recipe (docs/pbx/kamailio-front.md): the real Kamailio, started with the recipe's own
 * kamailio-front.cfg on 127.0.0.3, loads the nuisance list exported by the running crocetta (API) and by the CLI,
 * refuses a listed caller with 607 in any of the forms carriers send, and relays every other call to a stand-in
 * for crocetta (a UDP socket on 127.0.0.2). A new export is taken with `kamcmd htable.reload`, without a restart.
 * Without PBX_URI a 503 from the only pair reaches the caller, as before. With PBX_URI (the last resort) a second
 * Kamailio sends the call to a sipp PBX on 127.0.0.4 when every pair answered 503 or nothing (a sipp stand-in for a
 * drachtio-server with no crocetta, and a UDP socket that never answers), or when none is up, and the sipp caller
 * gets the PBX's 200.
 * Skipped, with the reason, where Kamailio is not installed (`apt-get install kamailio`; the last resort's tests
 * need sipp too). Kamailio's port: a free one in 26100-26999 (or E2E_PORTS); the caller's and the stand-in's
 * sockets take the system's, except sipp's, which take ports of the same range.
 */
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/cli-process.js';
import { startHarness, TOKEN, type Harness } from '../support/crocetta-harness.js';
import { REFUSAL_MARK } from '../../src/sip/verdict-to-sip.js';
import {
  pickPorts,
  realTools,
  REPO_ROOT,
  startKamailio,
  startKamailioFront,
  type RealKamailio,
} from '../support/real-sip-tools.js';
import { scenarioRunner } from '../support/scenario-runner.js';

const CFG = join(REPO_ROOT, 'docs/pbx/kamailio-front.cfg');
const KAMAILIO = '127.0.0.3';
const CROCETTA = '127.0.0.2';
const CALLER = '127.0.0.1';
const DID = '+390612345678';

const TOOLS = realTools(['kamailio', 'kamcmd']);
const LAST_RESORT_TOOLS = realTools(['kamailio', 'kamcmd', 'sipp']);

const cli = (args: string[], env: Record<string, string>): Promise<CliRun> => runCli(args, env);

/** A UDP SIP endpoint: sends requests, collects every message it receives. */
class Endpoint {
  readonly received: string[] = [];
  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (m) => this.received.push(m.toString('utf8')));
  }
  static async open(address: string, port = 0): Promise<Endpoint> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((ok) => socket.bind(port, address, ok));
    return new Endpoint(socket);
  }
  get port(): number {
    return this.socket.address().port;
  }
  send(text: string, port: number, address = KAMAILIO): void {
    this.socket.send(text, port, address);
  }
  async waitFor(pred: (m: string) => boolean, ms = 5000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const found = this.received.find(pred);
      if (found !== undefined) return found;
      if (Date.now() > end)
        throw new Error(`nothing matching within ${ms} ms; received:\n${this.received.join('\n----\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  close(): void {
    this.socket.close();
  }
}

let seq = 0;
function invite(
  caller: Endpoint,
  kamailioPort: number,
  from: string,
  extra: string[] = [],
): { callId: string; text: string } {
  seq++;
  const callId = `kam-front-${seq}-${Date.now()}@${CALLER}`;
  const text = [
    `INVITE sip:${DID}@${KAMAILIO}:${kamailioPort} SIP/2.0`,
    `Via: SIP/2.0/UDP ${CALLER}:${caller.port};branch=z9hG4bK-kf-${seq}-${Date.now()}`,
    'Max-Forwards: 70',
    `From: ${from};tag=f${seq}`,
    `To: <sip:${DID}@${KAMAILIO}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:carrier@${CALLER}:${caller.port}>`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return { callId, text };
}

const firstLine = (m: string): string => m.slice(0, m.indexOf('\r\n'));
const header = (m: string, name: string): string | undefined =>
  m
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();

/** The stand-in's final answer (`486 Busy Here`) to an INVITE Kamailio relayed to it, back along its Vias. */
function answerTo(relayed: string, status: string, extra: string[] = []): string {
  return [
    `SIP/2.0 ${status}`,
    ...relayed.split('\r\n').filter((l) => l.startsWith('Via:')),
    `From: ${header(relayed, 'From')}`,
    `To: ${header(relayed, 'To')};tag=croc`,
    `Call-ID: ${header(relayed, 'Call-ID')}`,
    'CSeq: 1 INVITE',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The caller's ACK to a final non-2xx `answer` to its INVITE `sent` (RFC 3261 17.1.1.3: its branch, the answer's To). */
function ackOf(sent: string, answer: string): string {
  return [
    sent.slice(0, sent.indexOf('\r\n')).replace(/^INVITE /, 'ACK '),
    `Via: ${header(sent, 'Via')}`,
    'Max-Forwards: 70',
    `From: ${header(sent, 'From')}`,
    `To: ${header(answer, 'To')}`,
    `Call-ID: ${header(sent, 'Call-ID')}`,
    'CSeq: 1 ACK',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Resolves once the Kamailio on `port` answers an OPTIONS from `caller` (the recipe answers keep-alives itself). */
async function answersOptions(caller: Endpoint, port: number, log: () => string): Promise<void> {
  for (let i = 0; ; i++) {
    caller.send(
      [
        `OPTIONS sip:${KAMAILIO}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${CALLER}:${caller.port};branch=z9hG4bK-probe-${port}-${i}`,
        'Max-Forwards: 70',
        `From: <sip:probe@${CALLER}>;tag=p`,
        `To: <sip:${KAMAILIO}>`,
        `Call-ID: probe-${port}-${i}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
      port,
    );
    await new Promise((r) => setTimeout(r, 200));
    if (caller.received.some((m) => m.startsWith('SIP/2.0 200') && header(m, 'Call-ID')?.startsWith(`probe-${port}-`)))
      return;
    if (i > 100) throw new Error(`kamailio did not answer within 20 s:\n${log()}`);
  }
}

describe.skipIf(TOOLS.missing.length > 0)(
  `Kamailio in front of crocetta (docs/pbx/kamailio-front.cfg)${TOOLS.skipped}`,
  () => {
    let h: Harness;
    let kamailio: RealKamailio | undefined;
    const kamailioLog = (): string => kamailio?.log() ?? '';
    let port: number;
    let caller: Endpoint;
    let standIn: Endpoint;
    let dir: string;
    const ctl = (): string => `unix:${join(dir, 'run', 'ctl')}`;

    const mark = async (number: string, label: 'nuisance' | 'trusted', company?: string): Promise<void> => {
      const res = await h.api('POST', `/api/numbers/${encodeURIComponent(number)}/mark`, {
        label,
        ...(company && { company }),
      });
      expect(res.status).toBe(200);
    };
    const exportApi = async (): Promise<string> => {
      const res = await fetch(h.url('/api/export?format=kamailio-htable'), {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
      return res.text();
    };
    /** Installs a table the way the recipe says: a new file renamed over the old one, then htable.reload. */
    const install = (table: string, mtime: Date): void => {
      const tmp = join(dir, 'db', 'crocetta_nuisance.new');
      writeFileSync(tmp, table);
      utimesSync(tmp, mtime, mtime); // db_text notices a change by the file's mtime, in whole seconds
      renameSync(tmp, join(dir, 'db', 'crocetta_nuisance'));
    };

    beforeAll(async () => {
      h = await startHarness();
      dir = h.dir;
      mkdirSync(join(dir, 'db'));
      mkdirSync(join(dir, 'run'));
      await mark('+390212345678', 'nuisance', 'Example Energia');
      await mark('+393471234567', 'nuisance');
      await mark('+390299999999', 'trusted');

      const fromApi = await exportApi();
      const exported = join(dir, 'exported-by-cli');
      const res = await cli(['export', '--format', 'kamailio-htable', '-o', exported], {
        CROCETTA_DB: join(dir, 'register.sqlite'),
        LOG_LEVEL: 'silent',
      });
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(readFileSync(exported, 'utf8')).toBe(fromApi);
      install(readFileSync(exported, 'utf8'), new Date(Date.now() - 60_000));
      writeFileSync(join(dir, 'db', 'version'), 'table_name(str) table_version(int)\nhtable:2\n');

      caller = await Endpoint.open(CALLER);
      standIn = await Endpoint.open(CROCETTA);
      writeFileSync(join(dir, 'crocetta.list'), `1 sip:${CROCETTA}:${standIn.port}\n`);
      [port = 0] = await pickPorts(1, [KAMAILIO], 26_100, 27_000);
      kamailio = await startKamailio(dir, {
        cfg: CFG,
        listen: { host: KAMAILIO, port },
        listenDefine: 'LISTEN',
        runDir: join(dir, 'run'),
        // Its default memory: the nuisance htable is sized for a large list.
        memory: null,
        receivers: null,
        defines: {
          DBTEXT_URL: `text://${join(dir, 'db')}`,
          DISPATCHER_LIST: join(dir, 'crocetta.list'),
          CTL_SOCKET: ctl(),
          CHILDREN: 2,
        },
      });
      await answersOptions(caller, port, kamailioLog);
    });

    afterAll(async () => {
      // SIGTERM, and SIGKILL to its whole group when it has not gone within 3 s (a kamailio stuck in its shutdown
      // once held this hook past its 30 s).
      await kamailio?.stop();
      caller?.close();
      standIn?.close();
      await h?.stop();
    });

    it('exports only the nuisance numbers, one E.164 key each, the company as the value', () => {
      const rows = readFileSync(join(dir, 'db', 'crocetta_nuisance'), 'utf8')
        .trim()
        .split('\n');
      expect(rows.slice(1)).toEqual(['+390212345678:0:0:Example Energia:0', '+393471234567:0:0:nuisance:0']);
    });

    it.each([
      ['E.164 in From', '<sip:+390212345678@203.0.113.10;user=phone>', []],
      ['the national form with separators', '"Offerte" <sip:02-1234-5678@203.0.113.10>', []],
      ['00 and the country code', '<sip:00393471234567@203.0.113.10>', []],
      [
        'a tel: P-Asserted-Identity behind an anonymous From',
        '"Anonymous" <sip:anonymous@anonymous.invalid>',
        ['P-Asserted-Identity: <tel:+39-347-123-4567>', 'Privacy: id'],
      ],
      ['an Italian mobile without the country code', '<sip:3471234567@203.0.113.10>', []],
    ])('refuses a listed caller with 607 Unwanted, never reaching crocetta: %s', async (_name, from, extra) => {
      const { callId, text } = invite(caller, port, from, extra);
      caller.send(text, port);
      const answer = await caller.waitFor((m) => header(m, 'Call-ID') === callId && /^SIP\/2.0 [2-6]\d\d/.test(m));
      expect(firstLine(answer)).toBe('SIP/2.0 607 Unwanted');
      await new Promise((r) => setTimeout(r, 100));
      expect(standIn.received.some((m) => header(m, 'Call-ID') === callId)).toBe(false);
    });

    it('relays a caller not on the list (a trusted one too) to crocetta, with the DID and its Record-Route, and the answer back', async () => {
      for (const from of [
        '<sip:+390299999999@203.0.113.10>',
        '<sip:+390255555555@203.0.113.10>',
        '"Anonymous" <sip:anonymous@anonymous.invalid>',
      ]) {
        const { callId, text } = invite(caller, port, from);
        caller.send(text, port);
        const relayed = await standIn.waitFor((m) => header(m, 'Call-ID') === callId && m.startsWith('INVITE '));
        // The Request-URI names the pair, as a carrier's would without the front (drachtio-server then addresses a
        // call crocetta forwards to the PBX); the called number stays its user.
        expect(firstLine(relayed)).toBe(`INVITE sip:${DID}@${CROCETTA}:${standIn.port} SIP/2.0`);
        expect(header(relayed, 'Record-Route')).toContain(`sip:${KAMAILIO}:${port};lr`);
        expect(header(relayed, 'From')).toBe(`${from};tag=f${seq}`);
        // crocetta (the stand-in) answers; the caller gets it through Kamailio.
        standIn.send(answerTo(relayed, '486 Busy Here'), port);
        const answer = await caller.waitFor((m) => header(m, 'Call-ID') === callId && m.startsWith('SIP/2.0 486'));
        expect(firstLine(answer)).toBe('SIP/2.0 486 Busy Here');
      }
    });

    it('without PBX_URI, fails the call when the only pair answers 503 (drachtio-server with no crocetta), as before', async () => {
      const { callId, text } = invite(caller, port, '<sip:+390255555557@203.0.113.10>');
      caller.send(text, port);
      const relayed = await standIn.waitFor((m) => header(m, 'Call-ID') === callId && m.startsWith('INVITE '));
      standIn.send(answerTo(relayed, '503 Service Unavailable'), port);
      const answer = await caller.waitFor((m) => header(m, 'Call-ID') === callId && /^SIP\/2.0 [2-6]\d\d/.test(m));
      // Kamailio, a proxy, passes a 503 on as 500 (RFC 3261 16.7): the caller hears a failure either way.
      expect(firstLine(answer)).toBe('SIP/2.0 500 Service Unavailable');
      expect(kamailioLog()).not.toContain('sent to the PBX');
    });

    it.each([
      ['503 Service Unavailable', 'not turned into 500'],
      ['408 Request Timeout', 'as it came'],
      ['607 Unwanted', 'as it came'],
    ])("relays crocetta's own refusal, marked, to the caller: %s, %s, without the mark", async (status) => {
      const { callId, text } = invite(caller, port, '<sip:+390255555559@203.0.113.10>');
      caller.send(text, port);
      const relayed = await standIn.waitFor((m) => header(m, 'Call-ID') === callId && m.startsWith('INVITE '));
      const code = status.slice(0, 3);
      standIn.send(answerTo(relayed, status, [`${REFUSAL_MARK}: ${code}`]), port);
      const answer = await caller.waitFor((m) => header(m, 'Call-ID') === callId && /^SIP\/2.0 [2-6]\d\d/.test(m));
      caller.send(ackOf(text, answer), port);
      expect(firstLine(answer)).toBe(`SIP/2.0 ${status}`);
      // The mark is between crocetta and Kamailio: the carrier never gets it.
      expect(header(answer, REFUSAL_MARK)).toBeUndefined();
      if (code !== '607') {
        expect(kamailioLog()).toContain(
          `crocetta-front: crocetta refused INVITE from +390255555559 with ${code}: relayed`,
        );
      }
    });

    it('takes a new export without a restart: mark, export, rename over the table, kamcmd htable.reload', async () => {
      const before = invite(caller, port, '<sip:+390255555556@203.0.113.10>');
      caller.send(before.text, port);
      await standIn.waitFor((m) => header(m, 'Call-ID') === before.callId);

      await mark('+390255555556', 'nuisance', 'Example: Telecom\nInjected:0:0:x:0');
      install(await exportApi(), new Date());
      const reload = spawnSync(TOOLS.bin.kamcmd ?? 'kamcmd', ['-s', ctl(), 'htable.reload', 'crocetta'], {
        encoding: 'utf8',
        timeout: 10_000,
      });
      expect(reload.status, `${reload.stdout}${reload.stderr}`).toBe(0);

      const after = invite(caller, port, '<sip:+390255555556@203.0.113.10>');
      caller.send(after.text, port);
      const answer = await caller.waitFor(
        (m) => header(m, 'Call-ID') === after.callId && /^SIP\/2.0 [2-6]\d\d/.test(m),
      );
      expect(firstLine(answer)).toBe('SIP/2.0 607 Unwanted');
      // The hostile company name stayed one row: Kamailio logged it as the value, and no "Injected" key exists.
      const dump = spawnSync(TOOLS.bin.kamcmd ?? 'kamcmd', ['-s', ctl(), 'htable.get', 'crocetta', 's:+390255555556'], {
        encoding: 'utf8',
      });
      expect(dump.stdout).toContain('Example Telecom Injected 0 0 x 0');
      expect(
        readFileSync(join(dir, 'db', 'crocetta_nuisance'), 'utf8')
          .trim()
          .split('\n'),
      ).toHaveLength(4);
    });
  },
);

describe.skipIf(LAST_RESORT_TOOLS.missing.length > 0)(
  `Kamailio in front of crocetta, the last resort: PBX_URI${LAST_RESORT_TOOLS.skipped}`,
  () => {
    const PBX = '127.0.0.4';
    const PAIRS = '127.0.0.2';
    let dir = '';
    let kamailio: RealKamailio | undefined;
    let caller: Endpoint;
    /** A pair that never answers: its machine or its drachtio-server is gone. */
    let silent: Endpoint;
    let port = 0;
    let at = { caller: 0, unavailable: 0, pbx: 0 };
    const sipp = scenarioRunner(() => dir, { timeoutSeconds: 20, transport: 'u1' });
    const pairUri = (p: number): string => `sip:${PAIRS}:${p}`;
    const kamcmd = (...args: string[]) =>
      spawnSync(LAST_RESORT_TOOLS.bin.kamcmd ?? 'kamcmd', ['-s', `unix:${join(dir, 'run', 'ctl')}`, ...args], {
        encoding: 'utf8',
        timeout: 10_000,
      });
    /** The sipp caller rings the DID through Kamailio; the sipp PBX answers it. */
    const callThroughFront = () =>
      sipp.call(
        { scenario: 'pbx-answers-did.xml', at: { host: PBX, port: at.pbx } },
        {
          scenario: 'caller-answered.xml',
          at: { host: CALLER, port: at.caller },
          target: `${KAMAILIO}:${port}`,
          keys: { did: DID, caller: '+390255555558' },
        },
      );

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'crocetta-kamailio-last-resort-'));
      caller = await Endpoint.open(CALLER);
      silent = await Endpoint.open(PAIRS);
      const [k = 0, c = 0, u = 0, p = 0] = await pickPorts(4, [KAMAILIO, CALLER, PAIRS, PBX], 26_100, 27_000);
      port = k;
      at = { caller: c, unavailable: u, pbx: p };
      kamailio = await startKamailioFront(dir, {
        listen: { host: KAMAILIO, port },
        pairs: [pairUri(silent.port), pairUri(at.unavailable)],
        name: 'kamailio-last-resort',
        defines: { PBX_URI: `sip:${PBX}:${at.pbx}`, CROCETTA_TIMEOUT: 1000 },
      });
      await answersOptions(caller, port, () => kamailio?.log() ?? '');
    }, 30_000);

    afterAll(async () => {
      await kamailio?.stop();
      caller?.close();
      silent?.close();
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    it("sends the call to the PBX when every pair answered 503 or nothing: the caller gets the PBX's 200", async () => {
      const invitesBefore = silent.received.filter((m) => m.startsWith('INVITE ')).length;
      const unavailable = await sipp.answerer({
        scenario: 'crocetta-unavailable.xml',
        at: { host: PAIRS, port: at.unavailable },
      });
      const call = await callThroughFront();
      const pair = await unavailable.done;
      expect(pair.code, pair.out).toBe(0);
      expect(silent.received.filter((m) => m.startsWith('INVITE ')).length).toBeGreaterThan(invitesBefore);
      expect(call.caller.code, `${call.caller.out}\n${kamailio?.log()}`).toBe(0);
      expect(call.answerer.code, call.answerer.out).toBe(0);
      // The PBX got the called number as the carrier sent it.
      expect(call.answerer.logs).toContain(`request-uri-user=${DID}`);
      expect(kamailio?.log()).toMatch(
        /crocetta-front: no crocetta pair took it \(the last answered (503|408 or nothing)\): INVITE from \+390255555558 .* sent to the PBX sip:127\.0\.0\.4:\d+, unscreened/,
      );
    });

    /** The silent pair set inactive for `run`: the call goes to the pair on `at.unavailable`. */
    const onePair = async (run: () => Promise<void>): Promise<void> => {
      const r = kamcmd('dispatcher.set_state', 'i', '1', pairUri(silent.port));
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      try {
        await run();
      } finally {
        kamcmd('dispatcher.set_state', 'a', '1', pairUri(silent.port));
      }
    };
    /** The caller's INVITE from `from` through Kamailio, its final answer (ACKed), and what Kamailio logged of it. */
    const refusedCall = async (from: string): Promise<{ answer: string; log: string }> => {
      const { callId, text } = invite(caller, port, `<sip:${from}@203.0.113.10>`);
      caller.send(text, port);
      const answer = await caller.waitFor((m) => header(m, 'Call-ID') === callId && /^SIP\/2.0 [2-6]\d\d/.test(m));
      caller.send(ackOf(text, answer), port);
      return { answer, log: kamailio?.log() ?? '' };
    };

    it("gives the caller crocetta's own 503 (marked: reject:503), not the PBX: PBX_URI is for pairs that are down", async () => {
      await onePair(async () => {
        const refusing = await sipp.answerer({
          scenario: 'crocetta-refuses-503.xml',
          at: { host: PAIRS, port: at.unavailable },
        });
        const { answer, log } = await refusedCall('+390255555561');
        expect(firstLine(answer), log).toBe('SIP/2.0 503 Service Unavailable');
        expect(header(answer, REFUSAL_MARK)).toBeUndefined();
        const pair = await refusing.done;
        expect(pair.code, pair.out).toBe(0);
        expect(log).toContain('crocetta-front: crocetta refused INVITE from +390255555561 with 503: relayed');
        expect(log).not.toMatch(/INVITE from \+390255555561 .*sent to the PBX/);
      });
    });

    it("gives the caller crocetta's own 408 (marked: reject:408), not the PBX", async () => {
      await onePair(async () => {
        const pair = await Endpoint.open(PAIRS, at.unavailable);
        try {
          const refused = refusedCall('+390255555562');
          const relayed = await pair.waitFor((m) => m.startsWith('INVITE ') && m.includes('+390255555562'));
          pair.send(answerTo(relayed, '408 Request Timeout', [`${REFUSAL_MARK}: 408`]), port);
          const { answer, log } = await refused;
          expect(firstLine(answer), log).toBe('SIP/2.0 408 Request Timeout');
          expect(header(answer, REFUSAL_MARK)).toBeUndefined();
          expect(log).toContain('crocetta-front: crocetta refused INVITE from +390255555562 with 408: relayed');
          expect(log).not.toMatch(/INVITE from \+390255555562 .*sent to the PBX/);
        } finally {
          pair.close();
        }
      });
    });

    it('sends the call to the PBX when no pair is up (both set inactive), without trying them', async () => {
      for (const uri of [pairUri(silent.port), pairUri(at.unavailable)]) {
        const r = kamcmd('dispatcher.set_state', 'i', '1', uri);
        expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      }
      try {
        const invitesBefore = silent.received.filter((m) => m.startsWith('INVITE ')).length;
        const call = await callThroughFront();
        expect(call.caller.code, `${call.caller.out}\n${kamailio?.log()}`).toBe(0);
        expect(call.answerer.code, call.answerer.out).toBe(0);
        expect(call.answerer.logs).toContain(`request-uri-user=${DID}`);
        expect(silent.received.filter((m) => m.startsWith('INVITE ')).length).toBe(invitesBefore);
        expect(kamailio?.log()).toContain('crocetta-front: no crocetta pair is up: INVITE from +390255555558');
      } finally {
        for (const uri of [pairUri(silent.port), pairUri(at.unavailable)])
          kamcmd('dispatcher.set_state', 'a', '1', uri);
      }
    });
  },
);
