/**
 * What the configuration alone says an operator should know at start: settings that are ignored, or that leave a
 * feature half on. Pure (the config in, sentences out), so each warning has a unit test; the composition root logs
 * them. Warnings that depend on what is stored (no admin password hash yet) are logged where that is read.
 */
import { configuredActions } from '../config/derive.js';
import type { Config } from '../config/schema.js';
import { hasContact } from '../sip/jcard.js';
import { REJECTED } from '../sip/verdict-to-sip.js';
import { outboundRoute } from './outbound-route.js';

export function startupWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.store.batchWindowMs !== undefined) {
    warnings.push(
      'store.batchWindowMs is ignored and can be removed: the register commits at once when idle and groups only the writes that arrive during a commit',
    );
  }
  if (
    configuredActions(config).some((a) => a.kind === 'reject' && a.status === REJECTED) &&
    !hasContact(config.reject608)
  ) {
    warnings.push(
      '608 Rejected is configured but reject608 has no contact: the 608 goes without its Call-Info jCard (RFC 8688)',
    );
  }
  const outbound = outboundRoute(config);
  if (outbound.trunk !== '' && !outbound.registeredPbx && outbound.from.length === 0) {
    warnings.push(
      'outbound calls to the carrier are on but the PBX address is a name: set pbx.outbound.fromAddresses to its IP addresses, outbound calls are screened until then',
    );
  }
  const rtpPorts = evenPorts(config.media.rtpPorts);
  if (config.announcements.maxConcurrent > rtpPorts) {
    warnings.push(
      `announcements.maxConcurrent is ${config.announcements.maxConcurrent} but media.rtpPorts ${config.media.rtpPorts} has ${rtpPorts} even ports (one per announcement): announcements beyond ${rtpPorts} get the plain refusal; widen the range or lower maxConcurrent`,
    );
  }
  if (!config.panel.apiToken) warnings.push('CROCETTA_API_TOKEN is not set: the JSON API answers 503 until it is');
  return warnings;
}

/** Ports an announcement can take in `low-high` (the schema checked its shape): the even ones. */
function evenPorts(range: string): number {
  const [low = 0, high = 0] = range.split('-').map(Number);
  const first = low + (low % 2);
  return first > high ? 0 : Math.floor((high - first) / 2) + 1;
}
