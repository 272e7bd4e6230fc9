/**
 * The panel (Express app), built and not listening: the JSON API, the pages, sharing and feeds, over the stores.
 * `readiness` is what /readyz reports (the SIP side's state is read on each request).
 */
import type { Express } from 'express';
import type { Config } from '../config/schema.js';
import { dossierRules, dossierService } from '../dossier/index.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { LoginLimiter } from '../panel/auth.js';
import { createPanelApp } from '../panel/panel-app.js';
import type { Clock } from '../screening/types.js';
import type { TrunkClient } from '../sip/trunk-client.js';
import { readFriendReportsRanking, type FriendReportsQuery } from '../store/reports/community-rankings.js';
import type { SipSide } from './build-sip-app.js';
import { checkMemoryOf } from './check-memory.js';
import type { Stores } from './open-stores.js';

export interface PanelContext {
  stores: Stores;
  sip: SipSide;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
}

/** /readyz's checks of a registration trunk: `trunk` (every account registered) and, with several, each account's. */
function trunkChecks(trunk: TrunkClient): Record<string, boolean> {
  const checks: Record<string, boolean> = {
    trunk: trunk.accounts.every((a) => a.status.state === 'registered'),
  };
  if (trunk.accounts.length > 1) {
    for (const a of trunk.accounts) checks[`trunk:${a.account}`] = a.status.state === 'registered';
  }
  return checks;
}

export function buildPanel(config: Config, { stores, sip, clock, metrics, logger }: PanelContext): Express {
  const { register, panelStore, live, sessions, feeds, evidence, pbx } = stores;
  const { trunk } = sip;
  // The evidence dossier reads the register file on a connection of its own, per request.
  const dossier = dossierService({
    file: config.store.file,
    rules: dossierRules(config),
    timeZone: config.timeZone,
    clock,
  });
  // Friends' reports per company (the rankings' "Friends' reports"), on a read-only connection per request.
  const community = (q: FriendReportsQuery) => readFriendReportsRanking(config.store.file, q);

  return createPanelApp({
    register,
    evidence,
    reports: panelStore.reports,
    live,
    checkMemory: checkMemoryOf(config, register),
    sessions,
    withheld: stores.withheld,
    limiter: new LoginLimiter(),
    adminHash: stores.adminHash,
    apiToken: config.panel.apiToken,
    metricsToken: config.panel.metricsToken,
    clock,
    timeZone: config.timeZone,
    defaultCountry: config.defaultCountry,
    logger: logger.child({ component: 'panel' }),
    metrics,
    dossier,
    community,
    trunk: () => trunk?.status ?? null,
    trunkAccounts: () =>
      trunk?.accounts.map((a) => ({
        name: a.number || a.username,
        account: a.account,
        number: a.number,
        carrier: a.carrier,
        status: a.status,
      })) ?? [],
    pbx: () => (pbx === null ? null : { callsGoThere: config.pbx.uri === '', live: pbx.registry.live() }),
    registerWrites: () => register.ready,
    registerHeld: () => register.spooled,
    sharing: { file: config.store.file, indexImported: (rows) => register.indexImported(rows) },
    feed: { feeds, feedToken: config.feeds.token, defaultWeight: config.feeds.defaultWeight },
    readiness: () => ({
      store: register.ready,
      drachtio: sip.app.connected,
      // Only with a registration trunk (none configured: no check, rather than a `trunk: true` that says nothing):
      // true when every account is registered; with several accounts, each one's too (`trunk:<its user name>`;
      // `<user name>-<line>` for a second carrier's account with a user name the first has).
      ...(trunk === null ? {} : trunkChecks(trunk)),
      // Only when the registered PBX is the one place calls can go (pbx.uri empty).
      ...(pbx !== null && config.pbx.uri === '' ? { pbx: pbx.registry.registered } : {}),
    }),
  });
}
