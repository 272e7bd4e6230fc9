/**
 * The SIP side, built and not started: the drachtio-srf app with its handler deps (screening steps that read the
 * panel's live settings on each call, the register, forwarding, actions, outbound calls, the registered PBX), the
 * reaper of silent forwards, and the registration to the carrier (trunk.registrar) when configured.
 */
import { AfterAnswer } from '../sip/after-answer.js';
import type { Config } from '../config/schema.js';
import { drachtioDuration, durationMs } from '../config/duration.js';
import type { Logger } from '../log.js';
import { watchCallsInProgress, type Metrics } from '../metrics.js';
import type { Clock } from '../screening/types.js';
import type { ActionDeps, HandlerDeps } from '../sip/handle-request.js';
import { ForwardedCalls } from '../sip/forwarded-calls.js';
import { ForwardReaper } from '../sip/forward-reaper.js';
import { outboundAccounts } from '../sip/outbound-account.js';
import { createSipApp, type SipApp } from '../sip/sip-app.js';
import { pendingRequestCount } from '../sip/srf-internals.js';
import { RecentTransactions } from '../sip/transactions.js';
import { VerdictMemo } from '../sip/verdict-memo.js';
import { FrontMemo } from '../sip/front-memo.js';
import { ackTimeoutMsOf } from '../sip/trunk-dialog.js';
import { createTrunkClient, type TrunkClient } from '../sip/trunk-client.js';
import { watchLineNames, type LineNames, type LookupAll } from '../sip/line-names.js';
import { createTrunkInbound } from '../sip/trunk-inbound.js';
import { trunkAccounts, trunkUsersOf } from '../trunk/settings.js';
import { checkMemoryOf } from './check-memory.js';
import type { Stores } from './open-stores.js';
import { outboundRoute } from './outbound-route.js';

/** drachtio-server's own limit for a proxy when pbx.finalTimeout cannot be read (ms). */
const DEFAULT_FINAL_TIMEOUT_MS = 200_000;

export interface SipSide {
  app: SipApp;
  /** The registration to the carrier; null when trunk.registrar is empty. */
  trunk: TrunkClient | null;
  reaper: ForwardReaper;
  /** The registrar and proxy names of lines that share a user name, looked up in the background; null: none. */
  lineNames: LineNames | null;
}

export interface SipContext {
  stores: Stores;
  actions: ActionDeps;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
  /** Resolves the lines' registrar and proxy names (line-names.ts); the system's resolver when absent. */
  lookupAll?: LookupAll;
}

export function buildSipApp(config: Config, context: SipContext): SipSide {
  const { stores, metrics, logger } = context;
  const deps = sipHandlerDeps(config, context);
  const app = createSipApp(
    {
      host: config.drachtio.host,
      port: config.drachtio.port,
      secret: config.drachtio.secret,
      reconnectMaxDelayMs: config.drachtio.reconnectMaxDelayMs,
      screenMessages: config.messages.screen,
    },
    {
      ...deps,
      ...(stores.pbx === null ? {} : { registrar: stores.pbx.handler }),
    },
  );
  const accounts = trunkAccounts(config.trunk);
  // Registration to the carrier, each account on its own: its clock is the real one, as its timers are.
  const trunk =
    accounts.length === 0 ? null : createTrunkClient(accounts, app.srf, { logger, metrics, now: () => Date.now() });
  const { reaper } = deps;
  watchCallsInProgress(metrics, { forwards: () => reaper.size, srfPending: () => pendingRequestCount(app.srf) });
  const lineNames =
    deps.trunk === undefined
      ? null
      : watchLineNames(deps.trunk, { logger, ...(context.lookupAll && { lookupAll: context.lookupAll }) });
  return { app, trunk, reaper, lineNames };
}

/** What the request handler is given (handle-request.ts), as the service builds it; bench/sip-handler.ts uses it too. */
export function sipHandlerDeps(config: Config, { stores, actions, clock, metrics, logger }: SipContext): HandlerDeps {
  const { register, live, evidence, pbx } = stores;
  const accounts = trunkAccounts(config.trunk);
  const outbound = outboundRoute(config);
  const registration = outboundAccounts(accounts, config.defaultCountry, outbound.trunk);
  const configuredFrom = new Set(outbound.from);
  if (outbound.trunk !== '') {
    // Accounts at other carriers (their own registrar) send their calls there.
    const others = [...new Set(accounts.filter((a) => !a.sameCarrier).map((a) => a.registrar.uri))];
    const fields = {
      trunk: outbound.trunk,
      ...(others.length > 0 ? { otherCarriers: others } : {}),
      from: outbound.from,
      via: outbound.via,
    };
    if (pbx !== null)
      logger.info(
        fields,
        'outbound calls from the PBX (its registered address and any configured) go to the carrier; numbers called are learned',
      );
    else if (outbound.from.length > 0)
      logger.info(fields, 'outbound calls from the PBX go to the carrier; numbers called are learned');
  }
  const finalTimeoutMs = durationMs(config.pbx.finalTimeout) ?? DEFAULT_FINAL_TIMEOUT_MS;
  const reaper = new ForwardReaper(finalTimeoutMs, (err) =>
    logger.error({ err }, 'ending a forward without news failed'),
  );
  // Answering first only: a durable answer waits for the attempt's row, which the memo cannot give.
  const memo = config.store.verdictMemo && !config.store.durableBeforeAnswer ? new VerdictMemo() : undefined;
  return {
    // Getters: the panel's settings page swaps live.policy/live.classify; each call reads the current ones.
    steps: {
      defaultCountry: config.defaultCountry,
      evidence,
      trunkUsers: trunkUsersOf(accounts),
      checkMemory: checkMemoryOf(config, register),
      ...(memo === undefined ? {} : { memo }),
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
    markRefusals: config.sip.markRefusals,
    commitWaitMs: config.store.commitWaitMs,
    durableBeforeAnswer: config.store.durableBeforeAnswer,
    storeMessageText: config.messages.storeText,
    actions,
    forwarded: new ForwardedCalls(register, logger.child({ component: 'forwarded' })),
    ...(accounts.length === 0 ? {} : { trunk: createTrunkInbound(accounts, metrics) }),
    reaper,
    transactions: new RecentTransactions(),
    afterAnswer: new AfterAnswer((err) => logger.error({ err }, 'work after an answer failed')),
    // The memo's settled refusals found from a request's values, before its transaction check and caller ID.
    ...(memo === undefined ? {} : { front: new FrontMemo() }),
    outbound: {
      trunkUri: outbound.trunk,
      fromAddresses:
        pbx === null ? configuredFrom : { has: (a: string) => configuredFrom.has(a) || pbx.registry.isPbxAddress(a) },
      stripPrefix: config.pbx.outbound.stripPrefix,
      defaultCountry: config.defaultCountry,
      recordRoute: config.pbx.recordRoute,
      ackTimeoutMs: ackTimeoutMsOf(config),
      ...(registration === null ? {} : { registration }),
    },
    ...(pbx === null ? {} : { noPbx: pbx.metrics.unavailable }),
    // In redirect mode the PBX's INVITEs are its inbound calls, sent for screening: not outbound ones.
    ...(pbx !== null && config.pbx.forwardMode === 'proxy' ? { registeredPbx: pbx.registry } : {}),
  };
}
