/**
 * The benches' command-line options, `--name value`, read from `argv` (process.argv by default). Written out once
 * here: the same few lines were copied into a dozen bench files.
 */

/** The word after `--name`, undefined when `--name` is absent (or the last word). */
export function textArg(name: string, argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The word after `--name`, `fallback` when there is none. */
export function textArgOr(name: string, fallback: string, argv: readonly string[] = process.argv): string {
  return textArg(name, argv) ?? fallback;
}

/** The positive number after `--name`; `fallback` when it is absent, not a number, zero or negative. */
export function numberArg(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const v = Number(textArg(name, argv) ?? NaN);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * The whole number ≥ 0 after `--name`; `fallback` when it is absent, empty, not a whole number or negative. As
 * numberArg, 0 allowed (`--ladder-retries 0`, `--ladder-warmup 0`: numberArg reads 0 as absent).
 */
export function countArg(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const text = textArg(name, argv);
  const v = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isInteger(v) && v >= 0 ? v : fallback;
}
