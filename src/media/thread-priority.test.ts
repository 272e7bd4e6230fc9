import { describe, expect, it } from 'vitest';
import { raiseThreadPriority, type PriorityCalls } from './thread-priority.js';

/** A kernel that answers as told; records what was asked. */
function kernel(over: Partial<PriorityCalls> = {}): PriorityCalls & { asked: [number, number][] } {
  const asked: [number, number][] = [];
  const nice = new Map<number, number>();
  return {
    platform: 'linux',
    pid: 100,
    threadId: () => 107,
    set: (id, n) => {
      asked.push([id, n]);
      nice.set(id, n);
    },
    get: (id) => nice.get(id) ?? 0,
    asked,
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

describe('RTP thread priority', () => {
  it("asks for the nice of the calling thread's id, not the process's, and says what it got", () => {
    const k = kernel();
    expect(raiseThreadPriority(-10, k)).toEqual({ asked: -10, nice: -10, refused: null });
    expect(k.asked).toEqual([[107, -10]]);
  });

  it("names the errno when the kernel refuses (SystemError's info.code, not ERR_SYSTEM_ERROR) and reads the thread's nice", () => {
    const k = kernel({
      set: () => {
        throw systemError('EACCES');
      },
      get: () => 0,
    });
    expect(raiseThreadPriority(-10, k)).toEqual({ asked: -10, nice: 0, refused: 'EACCES' });
  });

  it('asks nothing off Linux, without /proc/thread-self, from the main thread, or when no value is set', () => {
    const k = kernel({ platform: 'darwin' });
    expect(raiseThreadPriority(-10, k)).toEqual({ asked: -10, nice: null, refused: 'not on darwin' });
    const noProc = kernel({
      threadId: () => {
        throw new Error('ENOENT');
      },
    });
    expect(raiseThreadPriority(-10, noProc).refused).toBe('no /proc/thread-self');
    const main = kernel({ threadId: () => 100 });
    expect(raiseThreadPriority(-10, main)).toEqual({ asked: -10, nice: null, refused: 'not a worker thread' });
    const none = kernel();
    expect(raiseThreadPriority(null, none)).toEqual({ asked: null, nice: null, refused: null });
    expect([...k.asked, ...noProc.asked, ...main.asked, ...none.asked]).toEqual([]);
  });
});
