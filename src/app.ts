import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { actionPolicy, screeningRules } from './config/derive.js';
import type { Config } from './config/schema.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createPanelApp } from './panel/panel-app.js';
import { createClassifier } from './screening/index.js';
import { systemClock, type Clock } from './screening/types.js';
import { createSipApp, type SipApp } from './sip/sip-app.js';
import { createActionDeps } from './sip/action-deps.js';
import { openRegister } from './store/index.js';
import type { Register } from './store/types.js';

export interface Crocetta {
  register: Register;
  sip: SipApp;
  metrics: Metrics;
  /** The panel's HTTP server, listening. */
  http: Server;
  /** The port the panel listens on (useful with port 0). */
  readonly httpPort: number;
  /** Stops taking calls, closes the panel, flushes and closes the register. */
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
  const classify = createClassifier(screeningRules(config));

  // Recordings are read and encoded here, before anything listens: a bad file stops the start, naming it.
  const actions = createActionDeps(config, policy, logger.child({ component: 'media' }));

  const register = await openRegister({
    file: config.store.file,
    batchWindowMs: config.store.batchWindowMs,
    lookbackDays: config.store.lookbackDays,
    blockDropDigits: config.screening.learning.blocks.dropDigits,
    suspectThreshold: config.screening.thresholds.suspect,
    clock,
    logger: logger.child({ component: 'store' }),
  });

  const sip = createSipApp(
    {
      host: config.drachtio.host,
      port: config.drachtio.port,
      secret: config.drachtio.secret,
      reconnectMaxDelayMs: config.drachtio.reconnectMaxDelayMs,
      screenMessages: config.messages.screen,
    },
    {
      steps: { defaultCountry: config.defaultCountry, evidence: register, classify, policy },
      register,
      clock,
      logger,
      metrics,
      forward: {
        pbxUri: config.pbx.uri,
        mode: config.pbx.forwardMode,
        recordRoute: config.pbx.recordRoute,
        refusalCodes: config.pbx.refusalCodes,
        finalTimeout: config.pbx.finalTimeout,
      },
      tag: { header: config.tag.header },
      commitWaitMs: config.store.commitWaitMs,
      storeMessageText: config.messages.storeText,
      actions: actions.deps,
    },
  );

  const app = createPanelApp({
    register,
    clock,
    defaultCountry: config.defaultCountry,
    apiToken: config.panel.apiToken,
    classify,
    logger: logger.child({ component: 'panel' }),
    metrics,
    readiness: () => ({ store: register.ready, drachtio: sip.connected }),
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

  return {
    register,
    sip,
    metrics,
    http,
    httpPort,
    async stop() {
      actions.media.stop();
      sip.stop();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await register.close();
    },
  };
}
