/**
 * What a terminal shows of text written to it: `\r` goes back to the line's start and what follows is written over
 * what was there, `\n` starts a new line. For the CLI's progress bar, drawn and redrawn on one line.
 */

/** A stand-in for a TTY stream (or, `isTTY` false, a pipe), with the lines a terminal would show. */
export function fakeTerminal(isTTY = true): {
  readonly isTTY: boolean;
  write(text: string): boolean;
  screen(): string[];
} {
  const lines: string[][] = [[]];
  let column = 0;
  return {
    isTTY,
    write(text) {
      for (const ch of text) {
        if (ch === '\r') column = 0;
        else if (ch === '\n') {
          lines.push([]);
          column = 0;
        } else {
          const line = lines[lines.length - 1] ?? [];
          line[column] = ch;
          column += 1;
        }
      }
      return true;
    },
    /** Each line, its trailing blanks dropped; the empty line after the last `\n` left out. */
    screen() {
      const shown = lines.map((l) =>
        Array.from(l, (c) => c ?? ' ')
          .join('')
          .trimEnd(),
      );
      if (shown[shown.length - 1] === '') shown.pop();
      return shown;
    },
  };
}

/** The lines a terminal shows of `text`. */
export function screenOf(text: string): string[] {
  const terminal = fakeTerminal();
  terminal.write(text);
  return terminal.screen();
}
