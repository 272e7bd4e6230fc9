import { Histogram, type Registry } from 'prom-client';

/**
 * How often crocetta looks at its event loop, in ms: an idle crocetta wakes 10 times a second for it.
 * (prom-client's own monitor, `monitorEventLoopDelay({ resolution: 10 })`, woke it 100 times a second, ~30–40 µs
 * each, one more wakeup a call at 100 calls/s: docs/measurements.md, sessions 24 and 25.)
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

/** Upper bounds of `crocetta_eventloop_delay_seconds`: an idle loop's samples fall in the first (≤ 0.5 ms). */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface EventLoopDelayWatch {
  /** The sampling period in ms. */
  periodMs: number;
  stop: () => void;
}

/**
 * `crocetta_eventloop_delay_seconds`: a timer due every `periodMs` notes how late it ran, the period subtracted.
 * Each sample is the wait an event arriving when the timer came due had before the loop could run it: ~0 when
 * idle; a synchronous block of B ms that the timer comes due in shows as up to B (at least B − periodMs when
 * B > periodMs). A shorter block is seen only when the timer comes due during it (with chance B / periodMs):
 * what this coarse sampling gives up for 10 wakeups a second instead of 100. Cumulative, as a Prometheus histogram
 * is, so scrapes do not reset each other.
 */
export function watchEventLoopDelay(registry: Registry, periodMs = EVENT_LOOP_SAMPLE_MS): EventLoopDelayWatch {
  const delay = new Histogram({
    name: 'crocetta_eventloop_delay_seconds',
    help: `How late the event loop ran a timer due every ${periodMs} ms, its period subtracted (sampled ${1000 / periodMs} times a second): the wait an event arriving then had; ~0 when idle`,
    buckets: BUCKETS,
    registers: [registry],
  });
  // Node re-arms an interval from the loop's clock at the start of its run, so the time between two runs is the
  // period plus the lateness of the second (the loop's clock is in whole ms: up to ~1 ms either way, clamped at 0).
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    delay.observe(Math.max(0, now - last - periodMs) / 1000);
    last = now;
  }, periodMs);
  timer.unref();
  return { periodMs, stop: () => clearInterval(timer) };
}
