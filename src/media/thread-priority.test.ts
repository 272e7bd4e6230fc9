import { describe, expect, it } from 'vitest';
import { policyOfStat, raiseThreadPriority, SCHED_FIFO, type PriorityCalls } from './thread-priority.js';

/** A kernel that answers as told; records what was asked. */
function kernel(
  over: Partial<PriorityCalls> = {},
): PriorityCalls & { asked: [number, number][]; fifo: [number, number][] } {
  const asked: [number, number][] = [];
  const fifo: [number, number][] = [];
  const nice = new Map<number, number>();
  const rt = new Map<number, number>();
  return {
    platform: 'linux',
    pid: 100,
    threadId: () => 107,
    set: (id, n) => {
      asked.push([id, n]);
      nice.set(id, n);
    },
    get: (id) => nice.get(id) ?? 0,
    setFifo: (id, p) => {
      fifo.push([id, p]);
      rt.set(id, p);
    },
    policyOf: (id) => (rt.has(id) ? { policy: SCHED_FIFO, priority: rt.get(id) ?? 0 } : { policy: 0, priority: 0 }),
    asked,
    fifo,
    ...over,
  };
}

/** What os.setPriority throws without the permission. */
function systemError(code: string): Error {
  return Object.assign(new Error(`A system error occurred: uv_os_setpriority returned ${code}`), {
    code: 'ERR_SYSTEM_ERROR',
    info: { code, syscall: 'uv_os_setpriority' },
  });
}

const NO_RT = { realtimeAsked: null, realtime: null, realtimeRefused: null };

describe('RTP thread priority', () => {
  it("asks for the nice of the calling thread's id, not the process's, and says what it got", () => {
    const k = kernel();
    expect(raiseThreadPriority({ nice: -10, realtime: null }, k)).toEqual({
      asked: -10,
      nice: -10,
      refused: null,
      ...NO_RT,
    });
    expect(k.asked).toEqual([[107, -10]]);
    expect(k.fifo).toEqual([]);
  });

  it("names the errno when the kernel refuses (SystemError's info.code, not ERR_SYSTEM_ERROR) and reads the thread's nice", () => {
    const k = kernel({
      set: () => {
        throw systemError('EACCES');
      },
      get: () => 0,
    });
    expect(raiseThreadPriority({ nice: -10, realtime: null }, k)).toEqual({
      asked: -10,
      nice: 0,
      refused: 'EACCES',
      ...NO_RT,
    });
  });

  it("asks SCHED_FIFO for the calling thread's id besides the nice, and says the class read back", () => {
    const k = kernel();
    expect(raiseThreadPriority({ nice: -10, realtime: 1 }, k)).toEqual({
      asked: -10,
      nice: -10,
      refused: null,
      realtimeAsked: 1,
      realtime: 1,
      realtimeRefused: null,
    });
    expect(k.fifo).toEqual([[107, 1]]);
  });

  it('refused the real-time class, keeps the nice and says why; a class not applied is said too', () => {
    const refused = kernel({
      setFifo: () => {
        throw new Error('EPERM');
      },
    });
    expect(raiseThreadPriority({ nice: -10, realtime: 1 }, refused)).toMatchObject({
      nice: -10,
      refused: null,
      realtimeAsked: 1,
      realtime: null,
      realtimeRefused: 'EPERM',
    });
    // chrt answered 0 yet the thread is still in the ordinary class (e.g. another thread's id): not claimed.
    const silent = kernel({ setFifo: () => undefined });
    expect(raiseThreadPriority({ nice: null, realtime: 1 }, silent)).toEqual({
      asked: null,
      nice: null,
      refused: null,
      realtimeAsked: 1,
      realtime: null,
      realtimeRefused: 'not applied',
    });
  });

  it('asks nothing off Linux, without /proc/thread-self, from the main thread, or when no value is set', () => {
    const k = kernel({ platform: 'darwin' });
    expect(raiseThreadPriority({ nice: -10, realtime: 1 }, k)).toEqual({
      asked: -10,
      nice: null,
      refused: 'not on darwin',
      realtimeAsked: 1,
      realtime: null,
      realtimeRefused: 'not on darwin',
    });
    const noProc = kernel({
      threadId: () => {
        throw new Error('ENOENT');
      },
    });
    expect(raiseThreadPriority({ nice: -10, realtime: null }, noProc).refused).toBe('no /proc/thread-self');
    const main = kernel({ threadId: () => 100 });
    expect(raiseThreadPriority({ nice: null, realtime: 1 }, main)).toEqual({
      asked: null,
      nice: null,
      refused: null,
      realtimeAsked: 1,
      realtime: null,
      realtimeRefused: 'not a worker thread',
    });
    const none = kernel();
    expect(raiseThreadPriority({ nice: null, realtime: null }, none)).toEqual({
      asked: null,
      nice: null,
      refused: null,
      ...NO_RT,
    });
    for (const x of [k, noProc, main, none]) {
      expect(x.asked).toEqual([]);
      expect(x.fifo).toEqual([]);
    }
  });

  it("reads the class and real-time priority from a thread's stat line, whatever its name holds", () => {
    // Fields 40 (rt_priority) and 41 (policy) of a SCHED_FIFO thread at 1; the name has a space and a parenthesis.
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[37] = '1';
    fields[38] = '1';
    expect(policyOfStat(`4242 (node (w) 1) ${fields.join(' ')}`)).toEqual({ policy: 1, priority: 1 });
    fields[37] = '0';
    fields[38] = '0';
    expect(policyOfStat(`4242 (node) ${fields.join(' ')}`)).toEqual({ policy: 0, priority: 0 });
  });
});
