/**
 * The composition root, as a table of contents. Starting crocetta:
 *   1. startupWarnings(config)  what the configuration alone says the operator should know (pure)
 *   2. createActionDeps         recordings read and encoded: a bad file stops the start, naming it
 *   3. openStores               the register, the panel's store and settings, feeds, the PBX's registrations
 *   4. buildSipApp              the drachtio-srf app and the carrier registration, not yet connected
 *   5. buildPanel               the Express app, not yet listening
 *   6. listen                   the panel's port; then SIP connects, the trunk registers, feeds pull
 * and `stop()` is `shutdown`, in reverse. A step that fails undoes the steps before it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Config } from './config/schema.js';
import { droppedLogLines, type Logger } from './log.js';
import { createMetrics, watchLogDrops, type Metrics } from './metrics.js';
import { systemClock, type Clock } from './screening/types.js';
import type { FeedService } from './sharing/feeds/index.js';
import { createActionDeps, type ActionSetup } from './sip/action-deps.js';
import type { LookupAll } from './sip/line-names.js';
import type { SipApp } from './sip/sip-app.js';
import type { TrunkClient } from './sip/trunk-client.js';
import type { Register } from './store/register/types.js';
import { buildPanel } from './wiring/build-panel.js';
import { buildSipApp, type SipSide } from './wiring/build-sip-app.js';
import { openStores, type Stores } from './wiring/open-stores.js';
import { warnIfDrachtioUnreachable } from './wiring/start-failure.js';
import { startupWarnings } from './wiring/startup-warnings.js';

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
  /** Resolves the trunk lines' registrar and proxy names (src/sip/line-names.ts); the system's resolver by default. */
  lookupAll?: LookupAll;
}

export async function startCrocetta(config: Config, opts: StartOptions): Promise<Crocetta> {
  const { logger } = opts;
  const clock = opts.clock ?? systemClock;
  const metrics = createMetrics({ defaultMetrics: opts.defaultMetrics ?? true });
  watchLogDrops(metrics, () => droppedLogLines(logger));
  for (const warning of startupWarnings(config)) logger.warn(warning);

  const actions = createActionDeps(config, logger.child({ component: 'media' }), metrics);
  let stores: Stores | null = null;
  let sip: SipSide | null = null;
  try {
    stores = await openStores(config, { clock, metrics, logger });
    sip = buildSipApp(config, {
      stores,
      actions: actions.deps,
      clock,
      metrics,
      logger,
      ...(opts.lookupAll && { lookupAll: opts.lookupAll }),
    });
    const http = await listen(buildPanel(config, { stores, sip, clock, metrics, logger }), config.panel, logger);

    sip.app.start();
    const sipApp = sip.app;
    const stopWarning = warnIfDrachtioUnreachable(sipApp, config.drachtio, process.env, logger);
    sip.trunk?.start();
    sip.lineNames?.start();
    stores.feeds.start();
    const running = { actions, sip, http, stores };
    return {
      register: stores.register,
      sip: sip.app,
      metrics,
      feeds: stores.feeds,
      http,
      httpPort: (http.address() as AddressInfo).port,
      trunk: sip.trunk,
      stop: () => {
        stopWarning();
        metrics.stop();
        return shutdown(running);
      },
    };
  } catch (err) {
    metrics.stop();
    await shutdown({ actions, sip, http: null, stores }).catch((e: unknown) =>
      logger.error({ err: e }, 'undoing a failed start failed'),
    );
    throw err;
  }
}

/** Listens on the panel's address; rejects when the port cannot be bound. */
export async function listen(app: Express, at: { host: string; port: number }, logger: Logger): Promise<Server> {
  const http = createServer(app);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(at.port, at.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  // Once listening, Node reports a failed accept (ENFILE, ENOBUFS, ...) as the server's 'error'; with no listener
  // that would stop the whole service, calls with it. The panel keeps listening and the next connection is tried.
  http.on('error', (err) => logger.error({ err }, 'panel: a connection could not be accepted; the panel listens on'));
  logger.info({ host: at.host, port: (http.address() as AddressInfo).port }, 'panel listening');
  return http;
}

/**
 * Stops what runs, in reverse order of the start: announcements, the carrier registration (un-REGISTER, bounded,
 * before leaving drachtio-server), SIP, the reaper, the panel, then the stores (the register flushed last).
 * Parts never built (a failed start) are skipped.
 */
export async function shutdown(parts: {
  actions: ActionSetup;
  sip: SipSide | null;
  http: Server | null;
  stores: Stores | null;
}): Promise<void> {
  const { actions, sip, http, stores } = parts;
  await actions.media.stop();
  await sip?.trunk?.stop();
  sip?.lineNames?.stop();
  sip?.app.stop();
  sip?.reaper.stop();
  if (http) {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
  await stores?.close();
}
