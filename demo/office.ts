/**
 * The demo's office: who the call centres of the trace sell for (the company and category the staff note when
 * they mark a number), the carrier's INVITE for a trace row, and the PBX that answers the calls crocetta forwards.
 */
import { shakenIdentity } from '../bench/passport.js';
import type { TraceRow } from '../bench/office-trace.js';
import { normalizeNumber } from '../src/callerid/index.js';
import { DEFAULT_SOURCE, buildInvite, type ProxyHandler } from '../test/support/drachtio-double.js';

/** Fictitious brands: two per category where the rankings' advice compares them. */
export const COMPANIES: ReadonlyArray<{ company: string; category: string }> = [
  { company: 'Example Energia', category: 'energy' },
  { company: 'Esempio Luce e Gas', category: 'energy' },
  { company: 'Demo Fibra', category: 'telecom' },
  { company: 'Esempio Mobile', category: 'telecom' },
  { company: 'Assicurazioni Esempio', category: 'insurance' },
  { company: 'Demo Vacanze', category: 'travel' },
];

/** The brand a call centre of the trace works for (the same centre always sells for the same one). */
export function companyOf(origin: string): { company: string; category: string } {
  let h = 2166136261;
  for (const ch of origin) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return COMPANIES[h % COMPANIES.length] ?? { company: 'Example Energia', category: 'energy' };
}

/** The carrier's INVITE for a row: the caller as the trace sends it, STIR/SHAKEN for US diallers, withheld callers with Privacy: id. */
export function inviteFor(row: TraceRow, callId: string): string {
  const withheld = row.caller === '';
  const display = row.name === '' ? '' : `"${row.name}" `;
  const verstat = row.verstat === '' ? '' : `;verstat=${row.verstat}`;
  const from = withheld
    ? '"Anonymous" <sip:anonymous@anonymous.invalid>'
    : `${display}<sip:${row.caller}@${DEFAULT_SOURCE.address};user=phone${verstat}>`;
  const orig = (normalizeNumber(row.caller, 'IT').e164 ?? row.caller).replace(/^\+/, '');
  return buildInvite({
    from,
    to: `<sip:${row.did}@${DEFAULT_SOURCE.address};user=phone>`,
    requestUri: `sip:${row.did}@127.0.0.1:5060;user=phone`,
    callId,
    ...(withheld && { privacy: 'id' }),
    ...(row.attest !== '' && { identity: shakenIdentity(row.attest, orig, row.did.replace(/^\+/, '')) }),
    extraHeaders: { 'User-Agent': 'Carrier SBC (crocetta demo)' },
  });
}

/** The PBX: every call crocetta forwards rings and is answered (how long they talk is the trace's). */
export const answeringPbx: ProxyHandler = () => [{ status: 100 }, { status: 180 }, { status: 200 }];
