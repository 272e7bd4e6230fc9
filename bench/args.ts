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
