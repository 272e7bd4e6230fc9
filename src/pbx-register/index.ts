/**
 * The PBX registering to crocetta (crocetta as its provider): digest authentication of its REGISTERs, its
 * bindings, and where calls for it go. Pure apart from node:crypto; `sip/pbx-registrar.ts` is its drachtio adapter
 * and `store/pbx-bindings.ts` keeps the bindings in the register.
 */
export { DigestAuth, digestResponse, parseCredentials, type AuthResult, type DigestSettings } from './digest.js';
export {
  parseContactField,
  parseDeltaSeconds,
  parseSipUri,
  type ContactField,
  type RequestedContact,
} from './contacts.js';
export {
  applyRegister,
  bindingFor,
  canonicalAor,
  contactsHeader,
  deliveryUri,
  type Binding,
  type BindingLimits,
  type RegisterRequest,
  type RegisterResult,
  type Source,
} from './bindings.js';
export { PbxRegistry, type BindingStore } from './registry.js';
