/** What the CLI prints: text for people, `--json` for scripts; errors on stderr with a sysexits code. */

/** sysexits(3) codes the CLI exits with. */
export const EXIT = { ok: 0, failure: 1, usage: 64, dataError: 65, noInput: 66, config: 78 } as const;

/** An error the CLI reports in one line and exits with its code (no stack: it is not a bug). */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly code: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

/** A progress bar on a terminal (stderr), nothing otherwise; at most ~10 redraws a second. */
export function progressBar(label: string, total: number): { update(done: number): void; end(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  const draw = (done: number) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const full = Math.round(ratio * width);
    process.stderr.write(
      `\r${label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(ratio * 100).toFixed(0).padStart(3)}%`,
    );
  };
  return {
    update(done) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(done);
    },
    end() {
      if (!tty) return;
      draw(total);
      process.stderr.write('\n');
    },
  };
}
