/** Where the PBX's outbound calls go, from the config (pbx.outbound.*, trunk.*): read at start and in warnings. */
import type { Config } from '../config/schema.js';
import { outboundSources } from '../sip/outbound.js';
import { trunkSettings } from '../trunk/settings.js';

export interface OutboundRoute {
  /** The carrier's URI for the PBX's outbound calls; '' = outbound calls are not passed (they are screened). */
  trunk: string;
  /** The PBX's configured IP addresses (a name resolves to none). */
  from: string[];
  /** The PBX registers to crocetta: its registered address counts as the PBX's too. */
  registeredPbx: boolean;
  /** b2bua with a registration trunk (answers the carrier's challenges), else a proxy. */
  via: 'b2bua' | 'proxy';
}

export function outboundRoute(config: Config): OutboundRoute {
  const trunk = trunkSettings(config.trunk);
  // With a registration trunk, outbound calls go to TRUNK_URI, else the registrar, answering its challenges
  // (not in redirect mode, where the PBX's INVITEs are its inbound calls sent for screening).
  const registrarForOutbound = trunk !== null && config.pbx.forwardMode === 'proxy' ? trunk.registrar.uri : '';
  return {
    trunk: config.pbx.outbound.trunkUri !== '' ? config.pbx.outbound.trunkUri : registrarForOutbound,
    from: outboundSources(config.pbx.uri, config.pbx.outbound.fromAddresses),
    registeredPbx: config.pbx.register.username !== '',
    via: trunk ? 'b2bua' : 'proxy',
  };
}
