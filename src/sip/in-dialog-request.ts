/**
 * A request crocetta sends in an answered dialog, through the dialog's agent as drachtio-srf's dialog.js does, with
 * the carrier's 401/407 answered: not drachtio-srf's own `auth` option, whose digest hashes `sip:placeholder` as the
 * URI of a request in a dialog (digest-client.js). Used by the B2BUA's relay (trunk-dialog.ts).
 */
import { digestAnswer, pickChallenge, type Credentials } from '../trunk/digest.js';

/** A final response to a request sent in a dialog, as drachtio-srf hands it over (response.js). */
export interface InDialogResponse {
  status: number;
  body?: string;
  /** Where it came from: '' for the answer sofia makes itself when the far end gave none (drachtio-srf response.js). */
  source_address?: string;
  get(name: string): unknown;
}

/**
 * The far end gave no answer at all: drachtio-server passes up the answers sofia makes itself (408 after timer F,
 * 503 on an ICMP "port unreachable" or a DNS failure) with an empty source address (seen with drachtio-server
 * 0.9.10); a far end's own answer carries its address. Read for the relay's OPTIONS (trunk-dialog.ts) and the
 * registrar's answers (trunk-client.ts).
 */
export function answeredByStack(res: { source_address?: unknown }): boolean {
  return typeof res.source_address === 'string' && res.source_address === '';
}

export type Ack = (opts?: { headers?: Record<string, string>; body?: string }) => void;

/** The request as drachtio-server sent it (drachtio-agent.js: its echo, parsed). */
interface SentRequest {
  uri: string;
  on(event: 'response', listener: (res: InDialogResponse, ack: Ack) => void): unknown;
}

interface Agent {
  request(
    opts: { method: string; stackDialogId: string; headers: Record<string, string>; body?: string; _socket: unknown },
    callback: (err: unknown, req?: SentRequest) => void,
  ): void;
}

export interface Sent {
  res: InDialogResponse;
  ack: Ack;
  /** The Request-URI it went with (what a digest answer hashes). */
  uri: string;
}

function textOf(res: InDialogResponse, name: string): string {
  const v = res.get(name);
  return typeof v === 'string' ? v : '';
}

/** What sending in a dialog needs of drachtio-srf's Dialog: its id at drachtio-server, its agent and connection. */
export interface DialogChannel {
  readonly id: string;
  readonly agent: Agent;
  readonly socket: unknown;
}

/** Sends one request in `leg`'s dialog; resolves with its final response. */
function sendOnce(leg: DialogChannel, method: string, headers: Record<string, string>, body: string): Promise<Sent> {
  return new Promise((resolve, reject) => {
    leg.agent.request(
      { method, stackDialogId: leg.id, headers, body: body === '' ? undefined : body, _socket: leg.socket },
      (err, req) => {
        // drachtio-agent.js fails with an Error (code ENODIALOG when drachtio-server no longer has the dialog).
        if (err !== null && err !== undefined)
          return reject(err instanceof Error ? err : new Error(`${method} not sent`, { cause: err }));
        if (req === undefined) return reject(new Error(`${method} not sent`));
        req.on('response', (res, ack) => {
          if (res.status >= 200) resolve({ res, ack, uri: req.uri });
        });
      },
    );
  });
}

/**
 * Sends a request in `leg`'s dialog; a 401/407 is answered with `auth` (when given): once, and once more when the
 * challenge says our nonce was stale. The stack gives each new request in the dialog the next CSeq (RFC 3261 §22.2).
 */
export async function send(
  leg: DialogChannel,
  method: string,
  headers: Record<string, string>,
  body: string,
  auth: Credentials | null,
): Promise<Sent> {
  let sent = await sendOnce(leg, method, headers, body);
  for (let answers = 0; auth !== null && answers < 2; answers++) {
    const status = sent.res.status;
    if (status !== 401 && status !== 407) break;
    const challenge = pickChallenge([textOf(sent.res, status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate')]);
    if (challenge === null || (answers > 0 && !challenge.stale)) break;
    const answer = digestAnswer(challenge, auth, { method, uri: sent.uri, body });
    const name = status === 401 ? 'Authorization' : 'Proxy-Authorization';
    sent = await sendOnce(leg, method, { ...headers, [name]: answer }, body);
  }
  return sent;
}
