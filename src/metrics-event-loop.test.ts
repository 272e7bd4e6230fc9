import { createRequire } from 'node:module';
import type { Histogram } from 'prom-client';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { EVENT_LOOP_SAMPLE_MS } from './event-loop-delay.js';
import { createMetrics, type Metrics } from './metrics.js';

/** node:perf_hooks as prom-client sees it (it `require`s the module and calls its functions through the object). */
const perfHooks = createRequire(import.meta.url)('node:perf_hooks') as typeof import('node:perf_hooks');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** crocetta_eventloop_delay_seconds now: each bucket's count by upper bound, and the sample count. */
async function delaySamples(metrics: Metrics): Promise<{ le: Map<number, number>; count: number; sum: number }> {
  const metric = metrics.registry.getSingleMetric('crocetta_eventloop_delay_seconds') as Histogram | undefined;
  if (!metric) throw new Error('crocetta_eventloop_delay_seconds is not served');
  const { values } = await metric.get();
  const le = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const v of values) {
    if (v.metricName === 'crocetta_eventloop_delay_seconds_bucket' && v.labels.le !== '+Inf')
      le.set(Number(v.labels.le), v.value);
    else if (v.metricName === 'crocetta_eventloop_delay_seconds_count') count = v.value;
    else if (v.metricName === 'crocetta_eventloop_delay_seconds_sum') sum = v.value;
  }
  return { le, count, sum };
}

function startMetrics(): Metrics {
  const metrics = createMetrics({ defaultMetrics: true });
  onTestFinished(() => metrics.stop());
  return metrics;
}

describe("the event loop's delay in /metrics", () => {
  it("arms no event-loop monitor finer than crocetta's 100-ms sampler, and serves none of prom-client's lag figures", async () => {
    const monitor = vi.spyOn(perfHooks, 'monitorEventLoopDelay');
    onTestFinished(() => monitor.mockRestore());
    const metrics = startMetrics();

    expect(EVENT_LOOP_SAMPLE_MS).toBe(100);
    expect(monitor).toHaveBeenCalled();
    for (const [options] of monitor.mock.calls) expect(options?.resolution ?? 10).toBeGreaterThanOrEqual(100);
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(
      names.filter(
        (n) => n.startsWith('crocetta_nodejs_eventloop_lag_') && n !== 'crocetta_nodejs_eventloop_lag_seconds',
      ),
    ).toEqual([]);
    // prom-client's other process figures are still there.
    expect(names).toEqual(
      expect.arrayContaining([
        'crocetta_process_resident_memory_bytes',
        'crocetta_nodejs_heap_size_used_bytes',
        'crocetta_nodejs_gc_duration_seconds',
        'crocetta_eventloop_delay_seconds',
      ]),
    );
  });

  it('reads ~0 when idle (the sampling period subtracted), sampling 10 times a second', async () => {
    const metrics = startMetrics();
    await sleep(1050);
    const { le, count, sum } = await delaySamples(metrics);
    // ~10 samples in 1.05 s (a 10-ms monitor would take ~100); the last may be late on a loaded machine.
    expect(count).toBeGreaterThanOrEqual(6);
    expect(count).toBeLessThanOrEqual(11);
    // Idle: most samples within 5 ms, not the period (0.1) nor prom-client's 0.010. Not the mean: one sample late by
    // 0.2 s on a loaded machine (seen: the mean 0.0218 s) says nothing about the period being subtracted.
    expect(le.get(0.005)).toBeGreaterThanOrEqual(count / 2);
    expect(sum).toBeLessThan(count * 0.1);
  });

  it('shows a 120-ms synchronous block: at least its length minus the period, at most its length', async () => {
    const metrics = startMetrics();
    await sleep(350);
    const before = await delaySamples(metrics);
    const start = performance.now();
    while (performance.now() - start < 120);
    await sleep(250);
    const after = await delaySamples(metrics);

    const over = (s: typeof before, bound: number) => s.count - (s.le.get(bound) ?? 0);
    // One sample more above 10 ms (the block: 20–120 ms late, by when in the period it began)...
    expect(over(after, 0.01) - over(before, 0.01)).toBeGreaterThanOrEqual(1);
    // ...and none above 250 ms.
    expect(over(after, 0.25)).toBe(0);
    expect(after.sum - before.sum).toBeGreaterThanOrEqual(0.015);
  });
});
