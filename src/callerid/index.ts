/**
 * Caller identification: SIP headers in, CallerIdentity out. Pure (libphonenumber-js and node built-ins only).
 */
export { identifyCaller, identifyKept, callerKey } from './identify-caller.js';
export { screenedValuesKey } from './values-key.js';
export {
  calledNumber,
  calledPartyUris,
  NO_TRUNK_USERS,
  trunkCalledUser,
  trunkUsers,
  type TrunkUsers,
} from './called-number.js';
export { isPlaceholderNumber, normalizeNumber } from './normalize-number.js';
export { parsePassport } from './passport.js';
export { sipUriAddress, sipUriHost, splitHostPort, type HostPort, type SipUriAddress } from './uri-host.js';
export type {
  Attestation,
  CallerIdentity,
  CallerSlot,
  IdentifyOptions,
  KeptCaller,
  IdentitySource,
  Passport,
  PhoneNumber,
  SipHeaderSource,
  WithheldReason,
} from './types.js';
