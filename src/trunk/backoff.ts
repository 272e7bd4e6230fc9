/**
 * How long to wait before the next registration attempt after `failures` failures in a row: min, 2×min, 4×min …
 * up to max, each spread ±25% (so many crocettas restarted together do not hit the carrier in step), never under
 * the 2 s between two REGISTERs, and at least what the registrar asked in Retry-After (bounded by max). Pure:
 * `random` is a number in [0, 1).
 */
export const MIN_REGISTER_GAP_MS = 2000;

export function backoffMs(
  failures: number,
  retry: { minMs: number; maxMs: number },
  random: number,
  retryAfterMs: number | null = null,
): number {
  const n = Math.max(1, Math.min(failures, 30));
  const base = Math.min(retry.maxMs, retry.minMs * 2 ** (n - 1));
  const jittered = base * (0.75 + 0.5 * Math.min(Math.max(random, 0), 1));
  const wanted = retryAfterMs !== null ? Math.max(jittered, Math.min(retryAfterMs, retry.maxMs)) : jittered;
  return Math.round(Math.max(MIN_REGISTER_GAP_MS, Math.min(wanted, retry.maxMs * 1.25)));
}
