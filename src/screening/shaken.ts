/**
 * STIR/SHAKEN as evidence (RFC 8224/8588). crocetta reads the claims (callerid/passport.ts) without checking the
 * signature; `PassportVerifier` is the hook for a verifier (certificate fetch, ES256 check) to be added later: its
 * answer comes to the classifier as CallContext.shakenVerified and then outranks the unverified claims.
 *
 * - verification failed (ours, or the carrier's `verstat=TN-Validation-Failed`): strong evidence of spoofing;
 * - attestation C (gateway: the carrier does not know the caller): mild evidence;
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

export function shakenFinding(rules: ShakenRules, identity: CallerIdentity, context: CallContext | undefined): ShakenFinding {
  if (!rules.enabled) return NONE;
  const verstat = identity.verstat?.toLowerCase() ?? '';
  const verified = context?.shakenVerified ?? null;
  if (verified === 'invalid' || verstat.startsWith('tn-validation-failed')) {
    return {
      reason: {
        code: 'shaken-failed',
        text: verified === 'invalid' ? 'caller ID signature (STIR/SHAKEN) is invalid' : 'the carrier could not verify the caller ID (TN-Validation-Failed)',
        weight: rules.failedWeight,
        params: { verstat: identity.verstat ?? '', verified: verified ?? '' },
      },
      discount: 1,
    };
  }
  if (identity.attestation === 'C') {
    return {
      reason: { code: 'shaken-gateway', text: 'caller ID not attested by the carrier (STIR/SHAKEN C, gateway)', weight: rules.gatewayWeight, params: { attest: 'C' } },
      discount: 1,
    };
  }
  if (identity.attestation === 'A' || verified === 'valid' || verstat.startsWith('tn-validation-passed')) {
    return {
      reason: { code: 'shaken-full', text: 'caller ID attested by the carrier (STIR/SHAKEN A)', weight: 0, params: { attest: identity.attestation ?? '' } },
      discount: rules.fullDiscount,
    };
  }
  return NONE;
}
