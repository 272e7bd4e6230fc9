/** Exponential decay: 1 at age 0, ½ after one half-life (PhoneBlock's projected EMA, read at `now`). */
export function decayed(ageMs: number, halfLifeMs: number): number {
  if (ageMs <= 0) return 1;
  return Math.pow(0.5, ageMs / halfLifeMs);
}

/** Noisy-OR of one weight applied `n` times (fractional n from decayed counts). */
export function repeated(weight: number, n: number): number {
  return n <= 0 ? 0 : 1 - Math.pow(1 - weight, n);
}

const MINUTE = 60_000;

/** "12 min", "2 h 5 min", "3 days": how long ago or how long, for reasons (`days`: the word for days, e.g. "giorni"). */
export function span(ms: number, days = 'days'): string {
  const minutes = Math.max(1, Math.round(ms / MINUTE));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  return `${Math.round(minutes / 1440)} ${days}`;
}

/** A talk's length as a reason says it: `45 s` under a minute, else span()'s `2 min`, `1 h 5 min`. */
export function talkSpan(seconds: number, days = 'days'): string {
  return seconds < 60 ? `${Math.round(seconds)} s` : span(seconds * 1000, days);
}
