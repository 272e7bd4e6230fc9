/**
 * A PBX that registers to crocetta, for integration tests: REGISTER text, and the 401 → authenticated REGISTER
 * exchange computed here with node:crypto (independently of crocetta's own digest code).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DrachtioDouble, InjectedRequest, RecordedResponse, SourceAddress } from './drachtio-double.js';

export const PBX_USER = 'fritzbox';
export const PBX_PASSWORD = 'Tr0ub4dor&3-office';
/** The office router's public address: the PBX behind it registers a private contact. */
export const PBX_NAT_SOURCE: SourceAddress = { address: '198.51.100.7', port: 40123 };
export const PBX_PRIVATE_CONTACT = 'sip:fritzbox@192.168.178.1:5060';

export interface RegisterOptions {
  callId: string;
  cseq: number;
  contact?: string | null;
  expires?: string | null;
  authorization?: string;
  /** The To/From user (the AOR); PBX_USER by default. A FRITZ!Box registers each number with its own. */
  aorUser?: string;
  /** Where it comes from (registerWithDigest injects it from there); the default is PBX_NAT_SOURCE. */
  source?: SourceAddress;
  extra?: string[];
}

export function registerText(o: RegisterOptions): string {
  const lines = [
    'REGISTER sip:127.0.0.1:5060 SIP/2.0',
    `Via: SIP/2.0/UDP 192.168.178.1:5060;branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
    'Max-Forwards: 70',
    `From: <sip:${o.aorUser ?? PBX_USER}@127.0.0.1>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${o.aorUser ?? PBX_USER}@127.0.0.1>`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} REGISTER`,
    'User-Agent: AVM FRITZ!Box 7590 154.07.57',
  ];
  if (o.contact !== null) lines.push(`Contact: ${o.contact ?? `<${PBX_PRIVATE_CONTACT}>`}`);
  if (o.expires !== null) lines.push(`Expires: ${o.expires ?? '600'}`);
  if (o.authorization !== undefined) lines.push(`Authorization: ${o.authorization}`);
  lines.push(...(o.extra ?? []));
  return `${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The Authorization a PBX computes for a 401's WWW-Authenticate. */
export function answerChallenge(
  challenge: RecordedResponse,
  o: { username?: string; password?: string; nc?: number } = {},
): string {
  const header = challenge.headers['www-authenticate']?.[0] ?? '';
  const realm = /realm="([^"]*)"/.exec(header)?.[1] ?? '';
  const nonce = /nonce="([^"]*)"/.exec(header)?.[1] ?? '';
  const username = o.username ?? PBX_USER;
  const uri = 'sip:127.0.0.1:5060';
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = randomBytes(4).toString('hex');
  const ha1 = md5(`${username}:${realm}:${o.password ?? PBX_PASSWORD}`);
  const ha2 = md5(`REGISTER:${uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, cnonce="${cnonce}", qop=auth, nc=${nc}`;
}

/** REGISTER, 401, REGISTER with credentials: returns both transactions (the second's final is the result). */
export async function registerWithDigest(
  double: DrachtioDouble,
  o: Omit<RegisterOptions, 'authorization' | 'cseq'> & { cseq?: number; password?: string; username?: string },
): Promise<{ challenge: RecordedResponse; first: InjectedRequest; second: InjectedRequest; final: RecordedResponse }> {
  const cseq = o.cseq ?? 1;
  const source = o.source ?? PBX_NAT_SOURCE;
  const first = double.injectRequest(registerText({ ...o, cseq }), { source });
  const challenge = await first.waitForFinal();
  if (challenge.status !== 401) throw new Error(`expected 401, got ${challenge.status}`);
  const second = double.injectRequest(
    registerText({
      ...o,
      cseq: cseq + 1,
      authorization: answerChallenge(challenge, { username: o.username, password: o.password }),
    }),
    { source },
  );
  return { challenge, first, second, final: await second.waitForFinal() };
}
