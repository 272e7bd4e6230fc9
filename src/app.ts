import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { actionPolicy, screeningRules } from './config/derive.js';
import { dossierRules, dossierService } from './dossier/index.js';
import type { Config } from './config/schema.js';
import type { Logger } from './log.js';
import { countSpool, createMetrics, watchCallsInProgress, type Metrics } from './metrics.js';
import { createPanelApp } from './panel/panel-app.js';
import { systemClock, type Clock } from './screening/types.js';
import { createSipApp, type SipApp } from './sip/sip-app.js';
import { ForwardedCalls } from './sip/forwarded-calls.js';
import { ForwardReaper } from './sip/forward-reaper.js';
import { RecentTransactions } from './sip/transactions.js';
import { pendingRequestCount } from './sip/srf-internals.js';
import { drachtioDuration, durationMs } from './config/duration.js';
import { outboundSources } from './sip/outbound.js';
import { createActionDeps } from './sip/action-deps.js';
import { LoginLimiter, Sessions, ensureAdminHash, sessionKey } from './panel/auth.js';
import { LiveSettings } from './settings/index.js';
import { openPanelStore, openRegister, prefixIndexOptions } from './store/index.js';
import { endStaleForwards } from './store/register/stale-forwards.js';
import { readFriendReportsRanking, type FriendReportsQuery } from './store/reports/community-rankings.js';
import { FeedService, feedSettings } from './sharing/feeds/index.js';
import type { Register } from './store/register/types.js';
import { trunkSettings } from './trunk/settings.js';
import { createTrunkClient, type TrunkClient } from './sip/trunk-client.js';
import { createTrunkInbound } from './sip/trunk-inbound.js';
import { openPbxRegistration } from './sip/pbx-registration.js';

export interface Crocetta {
  register: Register;
  sip: SipApp;
  metrics: Metrics;
  /** Friends' feeds: our signed feed, the pulls of theirs (`pullAll()` pulls now). */
  feeds: FeedService;
  /** The panel's HTTP server, listening. */
  http: Server;
  /** The port the panel listens on (useful with port 0). */
  readonly httpPort: number;
  /** The registration to the carrier (trunk.registrar); null when registration is off. */
  trunk: TrunkClient | null;
  /** Stops taking calls, un-registers from the carrier, closes the panel, flushes and closes the register. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  clock?: Clock;
  /** Skip Node's default process metrics (tests start several apps in one process). */
  defaultMetrics?: boolean;
}

/** The composition root: opens the register, builds the SIP app and the panel, starts them. */
export async function startCrocetta(config: Config, opts: StartOptions): Promise<Crocetta> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  const metrics = createMetrics({ defaultMetrics: opts.defaultMetrics ?? true });
  const policy = actionPolicy(config);

  // Recordings are read and encoded here, before anything listens: a bad file stops the start, naming it.
  const actions = createActionDeps(config, policy, logger.child({ component: 'media' }));

  if (config.store.batchWindowMs !== undefined) {
    logger.warn('store.batchWindowMs is ignored and can be removed: the register commits at once when idle and groups only the writes that arrive during a commit');
  }
  const register = await openRegister({
    file: config.store.file,
    lookbackDays: config.store.lookbackDays,
    synchronous: config.store.synchronous,
    spoolMaxWrites: config.store.spoolMaxWrites,
    closeTimeoutMs: config.store.shutdownFlushMs,
    onSpool: (event) => countSpool(metrics, event),
    blockDropDigits: config.screening.learning.blocks.dropDigits,
    suspectThreshold: config.screening.thresholds.suspect,
    prefixes: prefixIndexOptions(screeningRules(config).learning, config.screening.thresholds),
    clock,
    logger: logger.child({ component: 'store' }),
  });

  // Forwards a previous run left open will never be reported to this one (their proxy was on its connection).
  const stale = await endStaleForwards(config.store.file, { now: clock.now(), since: clock.now() - config.store.lookbackDays * 86_400_000 });
  if (stale > 0) logger.warn({ attempts: stale }, 'forwarded attempts left open by the previous run ended as timeout');

  // The panel's connection: aggregates in the business's time zone, runtime settings, the admin password hash.
  const panelStore = await openPanelStore({ file: config.store.file, timeZone: config.timeZone, logger: logger.child({ component: 'store' }) });
  const live = await LiveSettings.load(config, panelStore.settings, (problem) =>
    logger.warn({ problem }, 'settings saved in the panel are no longer valid: using the configuration file'),
  );
  if (live.isOverlaid) logger.info('actions and screening rules changed in the panel override the configuration file');
  const admin = await ensureAdminHash(panelStore.settings, config.panel.adminPassword);
  if (admin.changed) logger.info('panel admin password stored (scrypt hash) from ADMIN_PASSWORD');
  if (admin.hash === null) logger.warn('ADMIN_PASSWORD is not set: nobody can log in to the panel until it is');
  const sessions = new Sessions(await sessionKey(panelStore.settings));
  const feeds = await FeedService.open(config.store.file, feedSettings(config.feeds), clock, logger.child({ component: 'feeds' }));
  // Friends' reports join the register's evidence from memory (no query per call).
  const evidence = { evidenceFor: (key: string) => feeds.index.withFriends(key, register.evidenceFor(key)) };

  const trunkConfig = trunkSettings(config.trunk);
  // The PBX registering to crocetta (pbx.register): its bindings, kept in the register, read here once.
  const pbx = await openPbxRegistration(config, metrics, clock, logger.child({ component: 'pbx-register' }));
  const outboundFrom = outboundSources(config.pbx.uri, config.pbx.outbound.fromAddresses);
  const configuredFrom = new Set(outboundFrom);
  // With a registration trunk, outbound calls go to TRUNK_URI, else the registrar, answering its challenges
  // (not in redirect mode, where the PBX's INVITEs are its inbound calls sent for screening).
  const registrarForOutbound = trunkConfig !== null && config.pbx.forwardMode === 'proxy' ? trunkConfig.registrar.uri : '';
  const outboundTrunk = config.pbx.outbound.trunkUri !== '' ? config.pbx.outbound.trunkUri : registrarForOutbound;
  if (outboundTrunk !== '') {
    const via = trunkConfig ? 'b2bua' : 'proxy';
    if (pbx !== null) logger.info({ trunk: outboundTrunk, from: outboundFrom, via }, 'outbound calls from the PBX (its registered address and any configured) go to the carrier; numbers called are learned');
    else if (outboundFrom.length === 0) logger.warn('outbound calls to the carrier are on but the PBX address is a name: set pbx.outbound.fromAddresses to its IP addresses, outbound calls are screened until then');
    else logger.info({ trunk: outboundTrunk, from: outboundFrom, via }, 'outbound calls from the PBX go to the carrier; numbers called are learned');
  }
  const finalTimeoutMs = durationMs(config.pbx.finalTimeout) ?? 200_000;
  const reaper = new ForwardReaper(finalTimeoutMs, (err) => logger.error({ err }, 'ending a forward without news failed'));
  const sip = createSipApp(
    {
      host: config.drachtio.host,
      port: config.drachtio.port,
      secret: config.drachtio.secret,
      reconnectMaxDelayMs: config.drachtio.reconnectMaxDelayMs,
      screenMessages: config.messages.screen,
    },
    {
      // Getters: the panel's settings page swaps live.policy/live.classify; each call reads the current ones.
      steps: {
        defaultCountry: config.defaultCountry,
        evidence,
        trunkUsername: trunkConfig?.username ?? '',
        get classify() {
          return live.classify;
        },
        get policy() {
          return live.policy;
        },
      },
      register,
      clock,
      logger,
      metrics,
      forward: {
        pbxUri: config.pbx.uri,
        // With pbx.uri empty, each call asks where the registered PBX is now (null: nowhere, 480).
        ...(pbx === null ? {} : { registered: (did: string | null) => pbx.registry.target(did) }),
        keepPbxUser: config.pbx.uri === '' && pbx !== null && config.pbx.register.requestUser === 'contact',
        mode: config.pbx.forwardMode,
        recordRoute: config.pbx.recordRoute,
        refusalCodes: config.pbx.refusalCodes,
        finalTimeout: drachtioDuration(finalTimeoutMs),
      },
      tag: { header: config.tag.header },
      commitWaitMs: config.store.commitWaitMs,
      durableBeforeAnswer: config.store.durableBeforeAnswer,
      storeMessageText: config.messages.storeText,
      actions: actions.deps,
      forwarded: new ForwardedCalls(register, logger.child({ component: 'forwarded' })),
      ...(trunkConfig === null ? {} : { trunk: createTrunkInbound(trunkConfig, metrics) }),
      reaper,
      transactions: new RecentTransactions(),
      outbound: {
        trunkUri: outboundTrunk,
        fromAddresses: pbx === null ? configuredFrom : { has: (a: string) => configuredFrom.has(a) || pbx.registry.isPbxAddress(a) },
        stripPrefix: config.pbx.outbound.stripPrefix,
        defaultCountry: config.defaultCountry,
        recordRoute: config.pbx.recordRoute,
        ...(trunkConfig === null ? {} : { registration: { aor: trunkConfig.aor, domain: trunkConfig.domain, auth: trunkConfig.credentials } }),
      },
      ...(pbx === null ? {} : { registrar: pbx.handler, noPbx: pbx.metrics.unavailable }),
      // In redirect mode the PBX's INVITEs are its inbound calls, sent for screening: not outbound ones.
      ...(pbx !== null && config.pbx.forwardMode === 'proxy' ? { registeredPbx: pbx.registry } : {}),
    },
  );

  // Registration to the carrier: its own clock is the real one, as its timers are.
  const trunk = trunkConfig === null ? null : createTrunkClient(trunkConfig, sip.srf, { logger, metrics, now: () => Date.now() });
  watchCallsInProgress(metrics, { forwards: () => reaper.size, srfPending: () => pendingRequestCount(sip.srf) });

  // The evidence dossier reads the register file on a connection of its own, per request.
  const dossier = dossierService({ file: config.store.file, rules: dossierRules(config), timeZone: config.timeZone, clock });

  // Friends' reports per company (the rankings' "Friends' reports"), on a read-only connection per request.
  const community = (q: FriendReportsQuery) => readFriendReportsRanking(config.store.file, q);

  const app = createPanelApp({
    register,
    evidence,
    reports: panelStore.reports,
    live,
    sessions,
    limiter: new LoginLimiter(),
    adminHash: admin.hash,
    apiToken: config.panel.apiToken,
    clock,
    timeZone: config.timeZone,
    defaultCountry: config.defaultCountry,
    logger: logger.child({ component: 'panel' }),
    metrics,
    dossier,
    community,
    trunk: () => trunk?.status ?? null,
    sharing: { file: config.store.file, indexImported: (rows) => register.indexImported?.(rows) },
    feed: { feeds, feedToken: config.feeds.token },
    readiness: () => ({
      store: register.ready,
      drachtio: sip.connected,
      // trunk: true when no registration is configured (nothing to wait for).
      trunk: trunk === null || trunk.status.state === 'registered',
      // Only when the registered PBX is the one place calls can go (pbx.uri empty).
      ...(pbx !== null && config.pbx.uri === '' ? { pbx: pbx.registry.registered } : {}),
    }),
  });
  if (!config.panel.apiToken) logger.warn('CROCETTA_API_TOKEN is not set: the JSON API answers 503 until it is');

  const http = createServer(app);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.panel.port, config.panel.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const httpPort = (http.address() as AddressInfo).port;
  logger.info({ host: config.panel.host, port: httpPort }, 'panel listening');

  sip.start();
  trunk?.start();
  feeds.start();

  return {
    register,
    sip,
    metrics,
    feeds,
    http,
    httpPort,
    trunk,
    async stop() {
      await actions.media.stop();
      await trunk?.stop(); // un-REGISTER (bounded) before leaving drachtio-server
      sip.stop();
      reaper.stop();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await feeds.stop();
      await pbx?.close();
      await register.close();
      await panelStore.close();
    },
  };
}
