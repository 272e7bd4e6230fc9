/**
 * The calling thread's (the RTP worker's) scheduling, on Linux, for that thread only:
 * - a nice value: setpriority() with a thread id changes that thread alone, and /proc/thread-self names it;
 * - the real-time class (SCHED_FIFO at a low priority), as audio servers give their audio threads (PipeWire and
 *   PulseAudio through RTKit, JACK): woken, the thread runs at once instead of waiting its turn behind ordinary
 *   threads. Node has no call for sched_setscheduler(), so util-linux's `chrt` asks it for this thread's id, with
 *   reset-on-fork (a thread or process this one starts gets the ordinary class back); the result is read back from
 *   /proc. Needs root, CAP_SYS_NICE or a real-time limit (`ulimit -r`); refused, the nice value stands.
 * Elsewhere an id is a process's, so nothing is asked.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { ThreadPriority } from './rtp-thread.js';

/** The thread's scheduling class as the kernel reports it: 0 ordinary, 1 SCHED_FIFO, 2 SCHED_RR, and its priority. */
export interface SchedPolicy {
  policy: number;
  priority: number;
}

export interface PriorityCalls {
  platform: NodeJS.Platform;
  pid: number;
  /** The calling thread's id: /proc/thread-self's last part. */
  threadId: () => number;
  set: (id: number, nice: number) => void;
  get: (id: number) => number;
  /** Puts thread `id` in SCHED_FIFO at `priority` (reset on fork); throws with the reason when refused. */
  setFifo: (id: number, priority: number) => void;
  /** Thread `id`'s class and real-time priority. */
  policyOf: (id: number) => SchedPolicy;
}

export const SCHED_FIFO = 1;
export const SCHED_RR = 2;

/** chrt for one thread: `chrt --fifo --reset-on-fork --pid PRIORITY TID`; a refusal's reason from its stderr. */
function chrtFifo(id: number, priority: number): void {
  const r = spawnSync('chrt', ['--fifo', '--reset-on-fork', '--pid', String(priority), String(id)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 5000,
    encoding: 'utf8',
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'no chrt (util-linux)' : `chrt: ${code ?? r.error.message}`);
  }
  if (r.status !== 0) {
    const said = r.stderr.trim();
    throw new Error(/not permitted/i.test(said) ? 'EPERM' : `chrt: ${said || `exit ${String(r.status)}`}`);
  }
}

/** Fields 41 (policy) and 40 (rt_priority) of /proc/self/task/<id>/stat (after the command name in parentheses). */
export function policyOfStat(stat: string): SchedPolicy {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
  return { policy: Number(fields[38]), priority: Number(fields[37]) };
}

const system: PriorityCalls = {
  platform: process.platform,
  pid: process.pid,
  threadId: () => Number(readlinkSync('/proc/thread-self').split('/').pop()),
  set: setPriority,
  get: getPriority,
  setFifo: chrtFifo,
  policyOf: (id) => policyOfStat(readFileSync(`/proc/self/task/${id}/stat`, 'utf8')),
};

/** The calling thread's scheduling asked for: a nice value, a SCHED_FIFO priority (1-99); null leaves either. */
export interface PriorityWanted {
  nice: number | null;
  realtime: number | null;
}

/** Asks for `wanted` for the calling thread; says what it runs at, and why not what was asked. Never throws. */
export function raiseThreadPriority(wanted: PriorityWanted, calls: PriorityCalls = system): ThreadPriority {
  const { nice, realtime } = wanted;
  const out: ThreadPriority = {
    asked: nice,
    nice: null,
    refused: null,
    realtimeAsked: realtime,
    realtime: null,
    realtimeRefused: null,
  };
  if (nice === null && realtime === null) return out;
  const refuseAll = (why: string): ThreadPriority => ({
    ...out,
    refused: nice === null ? null : why,
    realtimeRefused: realtime === null ? null : why,
  });
  if (calls.platform !== 'linux') return refuseAll(`not on ${calls.platform}`);
  let tid: number;
  try {
    tid = calls.threadId();
  } catch {
    return refuseAll('no /proc/thread-self');
  }
  // The main thread's id is the process's: a nice for it would slow or speed every thread, the event loop included.
  if (!(tid > 0) || tid === calls.pid) return refuseAll('not a worker thread');
  if (nice !== null) {
    try {
      calls.set(tid, nice);
      out.nice = calls.get(tid);
    } catch (err) {
      // os.setPriority throws a SystemError: code ERR_SYSTEM_ERROR, the errno's name (EACCES) in info.code.
      const e = err as NodeJS.ErrnoException & { info?: { code?: string } };
      try {
        out.nice = calls.get(tid);
      } catch {
        // the thread's own priority unreadable: say so as null
      }
      out.refused = e.info?.code ?? e.code ?? String(err);
    }
  }
  if (realtime !== null) {
    try {
      calls.setFifo(tid, realtime);
    } catch (err) {
      out.realtimeRefused = err instanceof Error ? err.message : String(err);
    }
    try {
      const p = calls.policyOf(tid);
      out.realtime = p.policy === SCHED_FIFO || p.policy === SCHED_RR ? p.priority : null;
      if (out.realtimeRefused === null && out.realtime !== realtime) out.realtimeRefused = 'not applied';
    } catch {
      out.realtimeRefused ??= 'policy unreadable';
    }
  }
  return out;
}
