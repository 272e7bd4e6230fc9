import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseMode, Pauses, resumeOnExit, type ProcessControl } from '../../bench/ladder-pause.js';

/** A process table in memory: pids running ('S') or stopped ('T'), and every signal sent, in order. */
function fakeControl(pids: number[]): ProcessControl & { sent: string[]; states: Map<number, string> } {
  const states = new Map(pids.map((p) => [p, 'S']));
  const sent: string[] = [];
  return {
    sent,
    states,
    signal(pid, signal) {
      if (!states.has(pid)) throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
      sent.push(`${signal} ${pid}`);
      states.set(pid, signal === 'SIGSTOP' ? 'T' : 'S');
    },
    state: (pid) => states.get(pid),
  };
}

describe("bench:sip's ladder pause bookkeeping", () => {
  it('stops the idle pids once, continues only those it stopped, and lets the trying pids run', () => {
    const c = fakeControl([1, 2, 3, 4]);
    const p = new Pauses(c);
    // bare (1, its drachtio-server 2) tries: crocetta (3, 4) stopped.
    expect(p.only([1, 2], [3, 4])).toEqual({ stopped: [3, 4], continued: [] });
    // bare again: nothing to do (3 and 4 already stopped, 1 and 2 never stopped).
    expect(p.only([1, 2], [3, 4])).toEqual({ stopped: [], continued: [] });
    // crocetta's turn: bare stopped, crocetta continued.
    expect(p.only([3, 4], [1, 2])).toEqual({ stopped: [1, 2], continued: [3, 4] });
    expect(p.paused).toEqual([1, 2]);
    expect(c.sent).toEqual(['SIGSTOP 3', 'SIGSTOP 4', 'SIGCONT 3', 'SIGCONT 4', 'SIGSTOP 1', 'SIGSTOP 2']);
    // The end: everything it stopped continued, once.
    expect(p.resume()).toEqual([1, 2]);
    expect(p.resume()).toEqual([]);
    expect([...c.states.values()]).toEqual(['S', 'S', 'S', 'S']);
  });

  it('never stops a pid it is told runs, nor one that is gone, and never continues a pid it did not stop', () => {
    const c = fakeControl([1, 2]);
    c.states.set(5, 'T'); // stopped by someone else (a debugger): not ours to continue
    const p = new Pauses(c);
    expect(p.only([1], [1, 2, 9])).toEqual({ stopped: [2], continued: [] });
    expect(p.resume([5, 1])).toEqual([]);
    expect(c.states.get(5)).toBe('T');
    // A stopped pid that exited meanwhile: forgotten without an error.
    c.states.delete(2);
    expect(p.resume()).toEqual([]);
    expect(p.paused).toEqual([]);
  });

  it('waits for the signals to show in the process states', async () => {
    const c = fakeControl([1, 2]);
    const p = new Pauses(c);
    p.only([1], [2]);
    expect(await p.settled([1, 2], 50)).toEqual([]);
    c.states.set(2, 'S'); // continued behind its back: not settled
    expect(await p.settled([1, 2], 50)).toEqual([2]);
  });

  it('continues what it stopped when the process exits, before the tracked children are killed', () => {
    const c = fakeControl([1, 2]);
    const p = new Pauses(c);
    const proc = new EventEmitter();
    proc.on('exit', () => c.sent.push('killAll'));
    resumeOnExit(p, proc as unknown as NodeJS.Process);
    p.only([1], [2]);
    proc.emit('exit', 130);
    expect(c.sent).toEqual(['SIGSTOP 2', 'SIGCONT 2', 'killAll']);
  });

  it('reads --ladder-pause', () => {
    expect(pauseMode(undefined, 'all')).toBe('all');
    expect(pauseMode('apps', 'all')).toBe('apps');
    expect(pauseMode('none', 'all')).toBe('none');
    expect(() => pauseMode('some', 'all')).toThrow(/none of none, apps, all/);
  });
});

describe('the pause on a real process', () => {
  const children: number[] = [];
  afterEach(() => {
    for (const pid of children.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
  const state = (pid: number): string | undefined => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    } catch {
      return undefined;
    }
  };

  it.runIf(process.platform === 'linux')('stops a child, then continues it running', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const pid = child.pid as number;
    children.push(pid);
    const p = new Pauses({ signal: (x, s) => process.kill(x, s), state });
    p.only([], [pid]);
    expect(await p.settled([pid])).toEqual([]);
    expect(state(pid)).toBe('T');
    p.resume();
    expect(await p.settled([pid])).toEqual([]);
    expect(state(pid)).not.toBe('T');
    expect(child.exitCode).toBeNull();
  });
});
