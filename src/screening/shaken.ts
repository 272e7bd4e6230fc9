/**
 * STIR/SHAKEN as evidence (RFC 8224/8588). crocetta reads the claims (callerid/passport.ts) without checking the
 * signature; `PassportVerifier` is the hook for a verifier (certificate fetch, ES256 check) to be added later: its
 * answer comes to the classifier as CallContext.shakenVerified and then outranks the unverified claims.
 *
 * - verification failed (ours, or the carrier's `verstat=TN-Validation-Failed`): strong evidence of spoofing;
 * - attestation C (gateway: the carrier does not know the caller): mild evidence;
 * - a PASSporT signed for another calling number than the caller ID we were given (`orig`): what a verifier
 *   would reject (RFC 8224 §6.2), strong evidence like a failed verification, and the attestation counts for nothing;
 * - a PASSporT signed for a call to another number than ours (`dest`): replayed, or a forwarded call (whose carrier
 *   should have added a diversion PASSporT): mild evidence, and no attestation discount;
 * - attestation A or TN-Validation-Passed: the number is genuinely the caller's, which says nothing about
 *   whether the caller is a nuisance: it only discounts behaviour and block evidence, never trusts.
 */
import type { CallerIdentity, Passport } from '../callerid/types.js';
import type { ShakenRules } from './learning.js';
import type { CallContext, Reason } from './types.js';

/** A verifier of the PASSporT in the Identity header: not in this release (see the module comment). */
export interface PassportVerifier {
  verify(identityHeader: string, passport: Passport): Promise<'valid' | 'invalid'>;
}

export interface ShakenFinding {
  reason: Reason | null;
  /** Factor for behaviour and block weights (1 = no effect). */
  discount: number;
}

const NONE: ShakenFinding = Object.freeze({ reason: null, discount: 1 });

/** A telephone number as PASSporTs carry it (`12025550123`, sometimes `+1 202…`): its digits. */
const digitsOf = (tn: string): string => tn.replace(/\D/g, '');

/** +39 02 1234 5678, for reasons (from E.164 digits). */
const shown = (digits: string): string => `+${digits}`;

/** The PASSporT's numbers against the call's, when both are known: null when they agree or cannot be compared. */
function passportMismatch(
  identity: CallerIdentity,
  context: CallContext | undefined,
): { kind: 'orig' | 'dest'; signed: string; actual: string } | null {
  const p = identity.passport;
  if (!p) return null;
  const caller = identity.number?.e164;
  const orig = p.orig[0] !== undefined ? digitsOf(p.orig[0]) : '';
  if (caller && orig !== '' && digitsOf(caller) !== orig) return { kind: 'orig', signed: orig, actual: caller };
  const did = context?.did;
  const dests = p.dest.map(digitsOf).filter((d) => d !== '');
  if (did && did.startsWith('+') && dests.length > 0 && !dests.includes(digitsOf(did)))
    return { kind: 'dest', signed: dests[0] as string, actual: did };
  return null;
}

export function shakenFinding(
  rules: ShakenRules,
  identity: CallerIdentity,
  context: CallContext | undefined,
): ShakenFinding {
  if (!rules.enabled) return NONE;
  const verstat = identity.verstat?.toLowerCase() ?? '';
  const verified = context?.shakenVerified ?? null;
  if (verified === 'invalid' || verstat.startsWith('tn-validation-failed')) {
    return {
      reason: {
        code: 'shaken-failed',
        text:
          verified === 'invalid'
            ? 'caller ID signature (STIR/SHAKEN) is invalid'
            : 'the carrier could not verify the caller ID (TN-Validation-Failed)',
        weight: rules.failedWeight,
        params: { verstat: identity.verstat ?? '', verified: verified ?? '' },
      },
      discount: 1,
    };
  }
  const mismatch = passportMismatch(identity, context);
  if (mismatch?.kind === 'orig') {
    return {
      reason: {
        code: 'shaken-orig-mismatch',
        text: `caller ID ${mismatch.actual} does not match the number its STIR/SHAKEN token was signed for (${shown(mismatch.signed)})`,
        weight: rules.failedWeight,
        params: { signedFor: shown(mismatch.signed), callerId: mismatch.actual },
      },
      discount: 1,
    };
  }
  if (mismatch?.kind === 'dest') {
    return {
      reason: {
        code: 'shaken-dest-mismatch',
        text: `STIR/SHAKEN token signed for a call to ${shown(mismatch.signed)}, not to your ${mismatch.actual} (replayed, or forwarded)`,
        weight: rules.gatewayWeight,
        params: { signedFor: shown(mismatch.signed), called: mismatch.actual },
      },
      discount: 1,
    };
  }
  if (identity.attestation === 'C') {
    return {
      reason: {
        code: 'shaken-gateway',
        text: 'caller ID not attested by the carrier (STIR/SHAKEN C, gateway)',
        weight: rules.gatewayWeight,
        params: { attest: 'C' },
      },
      discount: 1,
    };
  }
  if (identity.attestation === 'A' || verified === 'valid' || verstat.startsWith('tn-validation-passed')) {
    return {
      reason: {
        code: 'shaken-full',
        text: 'caller ID attested by the carrier (STIR/SHAKEN A)',
        weight: 0,
        params: { attest: identity.attestation ?? '' },
      },
      discount: rules.fullDiscount,
    };
  }
  return NONE;
}
