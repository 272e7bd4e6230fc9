/** The CLI's progress bar as a terminal shows it, written to a stand-in for a TTY stream (test/support). */
import { describe, expect, it } from 'vitest';
import { fakeTerminal as terminal } from '../../test/support/terminal-screen.js';
import { progressBar } from './output.js';

describe('progress bar', () => {
  it('draws how far the work is, and full when it ends done', () => {
    const tty = terminal();
    let clock = 1000;
    const bar = progressBar('importing list', 1000, tty, () => clock);
    bar.update(500);
    expect(tty.screen()).toEqual(['importing list [###############...............]  50%']);
    clock += 50;
    bar.update(600); // within 100 ms of the last drawing: not drawn
    expect(tty.screen()).toEqual(['importing list [###############...............]  50%']);
    bar.end();
    tty.write('read 2 lines\n');
    expect(tty.screen()).toEqual(['importing list [##############################] 100%', 'read 2 lines']);
  });

  it('a failed run does not leave it at 100%: cleared, the error printed in its place', () => {
    const tty = terminal();
    const bar = progressBar('importing list', 1000, tty, () => 1000);
    // The whole file read (a small one comes in one chunk), then refused: nothing was imported.
    bar.update(1000);
    bar.clear();
    tty.write('crocetta: line 2: not a phone number\nnothing was imported\n');
    expect(tty.screen()).toEqual(['crocetta: line 2: not a phone number', 'nothing was imported']);
  });

  it('writes nothing where the stream is no terminal', () => {
    const pipe = terminal(false);
    const bar = progressBar('importing list', 10, pipe, () => 1000);
    bar.update(5);
    bar.end();
    bar.clear();
    expect(pipe.screen()).toEqual([]);
  });
});
