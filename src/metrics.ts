import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SpoolEvent } from './store/sqlite/batch-writer.js';
import { watchEventLoopDelay } from './event-loop-delay.js';

/** crocetta's Prometheus metrics, on a registry of their own (served at GET /metrics). */
export interface Metrics {
  registry: Registry;
  decisions: Counter<'kind' | 'verdict' | 'action'>;
  failOpen: Counter<'stage'>;
  registerErrors: Counter;
  registerSpooled: Counter;
  registerSpoolWritten: Counter;
  registerSpoolHeld: Gauge;
  registerLost: Counter<'reason'>;
  registerJournalFailures: Counter;
  cancelledDuringScreening: Counter;
  decisionSeconds: Histogram;
  drachtioConnected: Gauge;
  forwardTimeouts: Counter;
  checks: Counter<'result'>;
  mediaFallbacks: Counter<'reason' | 'use'>;
  retransmissions: Counter<'kind' | 'answer'>;
  /** Stops the event-loop sampler (crocetta_eventloop_delay_seconds), if the process metrics run. */
  stop(): void;
}

/**
 * prom-client's event-loop figures (`nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`): read from a
 * `monitorEventLoopDelay` whose every sample is its resolution plus the lag, so they cannot be coarser without
 * reading wrong. Left out; crocetta_eventloop_delay_seconds says the same with the period subtracted.
 */
const PROM_CLIENT_LOOP_FIGURES = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'].map(
  (s) => `crocetta_nodejs_eventloop_lag_${s}_seconds`,
);

/**
 * prom-client 15 has no switch for one default metric and always arms its event-loop monitor, at
 * `eventLoopMonitoringPrecision` ms (default 10: 100 wakeups a second, idle or not). At 2^31 − 1 ms (the largest
 * signed 32-bit period, ~24.8 days) that monitor wakes the process once in 24.8 days; its figures are left out
 * (above). Its scrape-time `crocetta_nodejs_eventloop_lag_seconds` (a setImmediate's delay) stays.
 */
const PROM_CLIENT_MONITOR_MS = 2 ** 31 - 1;

/** prom-client's default process metrics, its event-loop figures replaced by crocetta_eventloop_delay_seconds. */
function processMetrics(registry: Registry): () => void {
  collectDefaultMetrics({
    register: registry,
    prefix: 'crocetta_',
    eventLoopMonitoringPrecision: PROM_CLIENT_MONITOR_MS,
  });
  for (const name of PROM_CLIENT_LOOP_FIGURES) registry.removeSingleMetric(name);
  return watchEventLoopDelay(registry).stop;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const stop = (opts.defaultMetrics ?? true) ? processMetrics(registry) : () => {};
  return {
    registry,
    stop,
    decisions: new Counter({
      name: 'crocetta_decisions_total',
      help: 'Screened requests by kind (call/message), verdict and action',
      labelNames: ['kind', 'verdict', 'action'],
      registers: [registry],
    }),
    failOpen: new Counter({
      name: 'crocetta_fail_open_total',
      help: 'Requests forwarded unscreened because of an internal fault, by stage',
      labelNames: ['stage'],
      registers: [registry],
    }),
    registerErrors: new Counter({
      name: 'crocetta_register_errors_total',
      help: 'Attempts or outcomes that could not be written to the register',
      registers: [registry],
    }),
    registerSpooled: new Counter({
      name: 'crocetta_register_spooled_total',
      help: 'Register writes the disk refused (full, I/O error, locked) and crocetta held in memory to write later',
      registers: [registry],
    }),
    registerSpoolWritten: new Counter({
      name: 'crocetta_register_spool_written_total',
      help: 'Register writes held in memory that were written once the disk accepted them again',
      registers: [registry],
    }),
    registerSpoolHeld: new Gauge({
      name: 'crocetta_register_spool_writes',
      help: 'Register writes held in memory now because the disk refuses them (store.spoolMaxWrites at most)',
      registers: [registry],
    }),
    registerLost: new Counter({
      name: 'crocetta_register_lost_total',
      help: 'Register writes lost: overflow (the spool was full), shutdown (still refused when crocetta stopped), refused (SQLite refused the row itself)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    registerJournalFailures: new Counter({
      name: 'crocetta_register_journal_failures_total',
      help: 'Writes to the attempts journal that failed (disk full, I/O error): answers wait for the commit for 30 s after each',
      registers: [registry],
    }),
    cancelledDuringScreening: new Counter({
      name: 'crocetta_cancelled_during_screening_total',
      help: 'Calls the caller cancelled before crocetta answered',
      registers: [registry],
    }),
    decisionSeconds: new Histogram({
      name: 'crocetta_decision_seconds',
      help: 'Time from receiving a request to the action being taken (identify, classify, register)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    drachtioConnected: new Gauge({
      name: 'crocetta_drachtio_connected',
      help: '1 while connected to drachtio-server',
      registers: [registry],
    }),
    checks: new Counter({
      name: 'crocetta_checks_total',
      help: 'Human checks (action check) by result: passed, no-digit, wrong-digit, hung-up',
      labelNames: ['result'],
      registers: [registry],
    }),
    mediaFallbacks: new Counter({
      name: 'crocetta_announcement_fallbacks_total',
      help: 'Calls that could not have their media, by reason (no-port: no RTP port free; busy: announcements.maxConcurrent playing; no-g711, no-sdp...) and use: announcement (the caller got the plain refusal instead) or check (forwarded tagged instead)',
      labelNames: ['reason', 'use'],
      registers: [registry],
    }),
    forwardTimeouts: new Counter({
      name: 'crocetta_forward_timeouts_total',
      help: 'Forwarded requests with no final answer from the PBX in time (drachtio 408, or nothing within pbx.finalTimeout)',
      registers: [registry],
    }),
    retransmissions: new Counter({
      name: 'crocetta_retransmissions_total',
      help: 'Copies of a request already handled (retransmissions), by kind and what they got: absorbed or repeated (the final answer again)',
      labelNames: ['kind', 'answer'],
      registers: [registry],
    }),
  };
}

/** Counts what the register's spool did (openRegister's `onSpool`). */
export function countSpool(metrics: Metrics, event: SpoolEvent): void {
  if (event.type === 'held') metrics.registerSpooled.inc(event.writes);
  else if (event.type === 'written') metrics.registerSpoolWritten.inc(event.writes);
  else metrics.registerLost.inc({ reason: event.reason }, event.writes);
  metrics.registerSpoolHeld.set(event.heldNow);
}

/** Gauges of what calls in progress hold, read when scraped: forwards being followed, drachtio-srf's pending requests. */
export function watchCallsInProgress(
  metrics: Metrics,
  read: { forwards: () => number; srfPending: () => number | null },
): void {
  new Gauge({
    name: 'crocetta_forwards_in_progress',
    help: 'Requests forwarded to the PBX whose end crocetta has not learned yet (ended as timeout after pbx.finalTimeout)',
    registers: [metrics.registry],
    collect() {
      this.set(read.forwards());
    },
  });
  new Gauge({
    name: 'crocetta_drachtio_pending_requests',
    help: 'Requests drachtio-srf waits on drachtio-server for (each call being proxied holds one)',
    registers: [metrics.registry],
    collect() {
      const n = read.srfPending();
      if (n !== null) this.set(n);
    },
  });
}

/** crocetta_log_dropped_total: log lines dropped because stdout's reader stalled (`dropped` is the running total). */
export function watchLogDrops(metrics: Metrics, dropped: () => number): void {
  let counted = 0;
  new Counter({
    name: 'crocetta_log_dropped_total',
    help: "Log lines dropped because stdout's reader did not keep up and the log queue was full (log.maxBufferBytes)",
    registers: [metrics.registry],
    collect() {
      const now = dropped();
      if (now > counted) this.inc(now - counted);
      counted = now;
    },
  });
}
