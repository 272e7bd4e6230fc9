/** Durations in the config (`200s`, `3m`, `1500ms`). */
const DURATION = /^(\d+)(ms|s|m)$/;

/** Milliseconds of a duration, or null when the text is not one. */
export function durationMs(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

/** The same duration in drachtio-server's syntax (`<n>ms` or `<n>s`, sip-proxy-controller.cpp). */
export function drachtioDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
