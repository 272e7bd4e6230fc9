/**
 * A nice value for the calling thread alone (the RTP worker's): on Linux setpriority() with a thread id changes that
 * thread only, and /proc/thread-self names it. Elsewhere an id is a process's, so nothing is asked.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { ThreadPriority } from './rtp-thread.js';

export interface PriorityCalls {
  platform: NodeJS.Platform;
  pid: number;
  /** The calling thread's id: /proc/thread-self's last part. */
  threadId: () => number;
  set: (id: number, nice: number) => void;
  get: (id: number) => number;
}

const system: PriorityCalls = {
  platform: process.platform,
  pid: process.pid,
  threadId: () => Number(readlinkSync('/proc/thread-self').split('/').pop()),
  set: setPriority,
  get: getPriority,
};

/** Asks for `nice` for the calling thread; says what it runs at, and why not the value asked. Never throws. */
export function raiseThreadPriority(nice: number | null, calls: PriorityCalls = system): ThreadPriority {
  if (nice === null) return { asked: null, nice: null, refused: null };
  if (calls.platform !== 'linux') return { asked: nice, nice: null, refused: `not on ${calls.platform}` };
  let tid: number;
  try {
    tid = calls.threadId();
  } catch {
    return { asked: nice, nice: null, refused: 'no /proc/thread-self' };
  }
  // The main thread's id is the process's: a nice for it would slow or speed every thread, the event loop included.
  if (!(tid > 0) || tid === calls.pid) return { asked: nice, nice: null, refused: 'not a worker thread' };
  try {
    calls.set(tid, nice);
    return { asked: nice, nice: calls.get(tid), refused: null };
  } catch (err) {
    // os.setPriority throws a SystemError: code ERR_SYSTEM_ERROR, the errno's name (EACCES) in info.code.
    const e = err as NodeJS.ErrnoException & { info?: { code?: string } };
    let now: number | null = null;
    try {
      now = calls.get(tid);
    } catch {
      // the thread's own priority unreadable: say so as null
    }
    return { asked: nice, nice: now, refused: e.info?.code ?? e.code ?? String(err) };
  }
}
