/**
 * Announcement RTP in a worker thread (rtp-worker.ts), seen from the main thread as an RtpEngine. The pacer sleeps
 * to the microsecond before each burst (Atomics.wait) and sends up to hundreds of packets per tick: in the worker
 * that holds no SIP or HTTP request up.
 *
 * - acquire: the worker binds the port (one message each way, well under a millisecond) and names it;
 * - play: the recording's bytes cross once per recording (keyed by identity), then only the stream's settings;
 * - stop: the reason is written into the stream's slot of a shared Int32Array, which the worker reads before every
 *   packet, so nothing leaves after stop() returns here; a message then ends the stream at once;
 * - a worker that dies ends its streams with `error` and its leases; the next acquire starts a new one.
 * The worker is unref'd: it never keeps the process alive. With `.ts` sources (tests, tsx) it loads them through
 * tsx; built, it runs the compiled rtp-worker.js.
 */
import { Worker } from 'node:worker_threads';
import type { PortRange } from './port-pool.js';
import type { PlaySpec, PlayingStream, RtpEngine, RtpPort } from './rtp-engine.js';
import type { EndReason, PlayResult } from './rtp-player.js';

export interface WorkerSetup {
  range: PortRange;
  bindAddress: string;
  /** The nice value the worker asks the kernel for, for its own thread only (null: leave it). */
  nice: number | null;
  /** The SCHED_FIFO priority the worker asks for, for its own thread only (null: the ordinary class). */
  realtime: number | null;
  /** Int32 per port of the range: 0, or the code of the reason its stream must stop for. */
  flags: SharedArrayBuffer;
}

export type ToWorker =
  | { t: 'recording'; key: number; audio: Uint8Array }
  | { t: 'acquire'; id: number }
  | { t: 'play'; id: number; recording: number; spec: Omit<PlaySpec, 'audio'> }
  | { t: 'stop'; id: number; reason: EndReason }
  | { t: 'listen'; id: number; payloadType: number }
  | { t: 'release'; id: number }
  | { t: 'stopAll' };

/**
 * What the worker's thread got: the nice value it runs at, and why not the one asked for (no permission: root or
 * CAP_SYS_NICE is needed below the process's own; not Linux).
 */
export interface ThreadPriority {
  asked: number | null;
  nice: number | null;
  refused: string | null;
  /** The SCHED_FIFO priority asked, the real-time priority the thread runs at (null: the ordinary class), and why not. */
  realtimeAsked: number | null;
  realtime: number | null;
  realtimeRefused: string | null;
}

export type FromWorker =
  | { t: 'ready'; priority: ThreadPriority }
  | { t: 'acquired'; id: number; port: number | null; slot: number }
  | { t: 'ended'; id: number; result: PlayResult }
  | { t: 'key'; id: number; key: string };

const REASONS: readonly EndReason[] = ['caller', 'shutdown', 'error', 'completed', 'max-duration'];
export const codeOfReason = (r: EndReason): number => REASONS.indexOf(r) + 1;
export const reasonOfCode = (code: number): EndReason | null => (code > 0 ? (REASONS[code - 1] ?? 'error') : null);

const FAILED: PlayResult = { playedMs: 0, packets: 0, endedBy: 'error', latchedTo: null };

/**
 * The pacer's thread runs ahead of ordinary threads when the kernel allows it (Linux, root or CAP_SYS_NICE): on a
 * busy machine a thread of ordinary priority woken for its deadline waits behind every runnable process (measured
 * on two shared cores with SIP benches running: a sleeper's wake-ups p99 33 ms late at nice 0, 2.7 ms at −10). The
 * pacer uses a few percent of a core, so it takes little from the others. Only this thread: the event loop that
 * answers SIP keeps the process's priority.
 */
export const RTP_THREAD_NICE = -10;

/**
 * The pacer's thread also asks for the real-time class, SCHED_FIFO at this priority (thread-priority.ts), as audio
 * servers run their audio threads: at nice −10 a woken thread still waits for its turn among ordinary threads, and on
 * this two-core machine under load that was tens of milliseconds at p99 (docs/measurements.md); in SCHED_FIFO it runs as
 * soon as it wakes. 1 is the lowest real-time priority, below what a system runs in that class on purpose (threaded
 * interrupts at 50). The pacer sleeps between bursts, and the kernel keeps 5% of every second for ordinary threads
 * whatever a real-time thread does (sched_rt_runtime_us). Refused (no permission, no chrt), the nice value stands.
 */
export const RTP_THREAD_REALTIME = 1;

export interface RtpThreadSettings {
  range: PortRange;
  bindAddress: string;
  /** Nice value asked for the worker's thread (default RTP_THREAD_NICE; null leaves the process's). */
  nice?: number | null;
  /** SCHED_FIFO priority asked for the worker's thread (default RTP_THREAD_REALTIME; null: the ordinary class, at `nice`). */
  realtime?: number | null;
  /** Told, each time a worker starts, what priority its thread got. */
  onPriority?: (p: ThreadPriority) => void;
  /** Told when the worker fails (it is restarted on the next announcement). */
  onError?: (err: Error) => void;
}

export class RtpThread implements RtpEngine {
  private worker: Worker | null = null;
  private nextId = 1;
  private leased = 0;
  private readonly flags: Int32Array;
  private readonly acquiring = new Map<number, (r: { port: number; slot: number } | null) => void>();
  private readonly playing = new Map<number, (r: PlayResult) => void>();
  private readonly keyListeners = new Map<number, (key: string) => void>();
  /** Recordings already sent to the current worker, by identity. */
  private recordingKeys = new WeakMap<Uint8Array, number>();
  private nextRecording = 1;

  constructor(private readonly settings: RtpThreadSettings) {
    const { low, high } = settings.range;
    const capacity = Math.max(0, Math.floor((high - (low + (low % 2))) / 2) + 1);
    this.flags = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, capacity)));
  }

  get inUse(): number {
    return this.leased;
  }

  /** Starts the worker now rather than at the first announcement. */
  start(): void {
    this.ensureWorker();
  }

  async acquire(): Promise<RtpPort | null> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    const got = await new Promise<{ port: number; slot: number } | null>((resolve) => {
      this.acquiring.set(id, resolve);
      worker.postMessage({ t: 'acquire', id } satisfies ToWorker);
    });
    if (got === null) return null;
    this.leased++;
    return this.port(id, got.port, got.slot, worker);
  }

  stopAll(): void {
    for (let i = 0; i < this.flags.length; i++)
      if (Atomics.load(this.flags, i) === 0) Atomics.store(this.flags, i, codeOfReason('shutdown'));
    this.worker?.postMessage({ t: 'stopAll' } satisfies ToWorker);
  }

  /** Stops every stream, waits (at most a second) for their results, and ends the worker. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === null) return;
    this.stopAll();
    const end = Date.now() + 1000;
    while (this.playing.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    this.worker = null;
    await worker.terminate();
    this.failAll();
  }

  private port(id: number, port: number, slot: number, worker: Worker): RtpPort {
    let released = false;
    const send = (m: ToWorker): void => {
      if (this.worker === worker) worker.postMessage(m);
    };
    return {
      port,
      play: (spec: PlaySpec): PlayingStream => {
        if (this.playing.has(id)) throw new Error('this port is playing a stream already');
        if (released || this.worker !== worker) return { done: Promise.resolve(FAILED), stop: () => undefined };
        // A new stream on the lease: the previous one's stop reason (if any) must not stop this one.
        Atomics.store(this.flags, slot, 0);
        const done = new Promise<PlayResult>((resolve) => this.playing.set(id, resolve));
        const { audio, ...rest } = spec;
        send({ t: 'play', id, recording: this.recordingKey(audio, worker), spec: rest });
        return {
          done,
          stop: (reason: EndReason) => {
            if (released || !this.playing.has(id)) return;
            Atomics.store(this.flags, slot, codeOfReason(reason));
            send({ t: 'stop', id, reason });
          },
        };
      },
      listenKeys: (payloadType: number, onKey: (key: string) => void): void => {
        if (released) return;
        this.keyListeners.set(id, onKey);
        send({ t: 'listen', id, payloadType });
      },
      release: () => {
        if (released) return;
        released = true;
        this.keyListeners.delete(id);
        if (this.worker === worker) {
          this.leased--;
          if (this.playing.has(id)) Atomics.store(this.flags, slot, codeOfReason('shutdown'));
          send({ t: 'release', id });
        }
      },
    };
  }

  private recordingKey(audio: Uint8Array, worker: Worker): number {
    let key = this.recordingKeys.get(audio);
    if (key === undefined) {
      key = this.nextRecording++;
      this.recordingKeys.set(audio, key);
      worker.postMessage({ t: 'recording', key, audio } satisfies ToWorker);
    }
    return key;
  }

  private ensureWorker(): Worker {
    if (this.worker !== null) return this.worker;
    const setup: WorkerSetup = {
      range: this.settings.range,
      bindAddress: this.settings.bindAddress,
      nice: this.settings.nice === undefined ? RTP_THREAD_NICE : this.settings.nice,
      realtime: this.settings.realtime === undefined ? RTP_THREAD_REALTIME : this.settings.realtime,
      flags: this.flags.buffer as SharedArrayBuffer,
    };
    const self = new URL(import.meta.url);
    const worker = self.pathname.endsWith('.ts')
      ? // Sources run through tsx (tests, `node --import tsx`): the worker thread registers tsx before loading its .ts entry.
        new Worker(
          `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(new URL('./rtp-worker.ts', self).href)}); })`,
          {
            eval: true,
            workerData: setup,
          },
        )
      : new Worker(new URL('./rtp-worker.js', self), { workerData: setup });
    worker.unref();
    this.worker = worker;
    this.recordingKeys = new WeakMap();
    this.flags.fill(0);
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    const lost = (err: Error): void => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.leased = 0;
      this.failAll();
      this.settings.onError?.(err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the RTP worker thread exited (${code})`)));
    return worker;
  }

  private onMessage(m: FromWorker): void {
    if (m.t === 'ready') {
      this.settings.onPriority?.(m.priority);
    } else if (m.t === 'acquired') {
      const resolve = this.acquiring.get(m.id);
      this.acquiring.delete(m.id);
      resolve?.(m.port === null ? null : { port: m.port, slot: m.slot });
    } else if (m.t === 'key') {
      this.keyListeners.get(m.id)?.(m.key);
    } else if (m.t === 'ended') {
      const resolve = this.playing.get(m.id);
      this.playing.delete(m.id);
      resolve?.(m.result);
    }
  }

  /** The worker is gone: nothing it held will answer. */
  private failAll(): void {
    for (const resolve of this.acquiring.values()) resolve(null);
    this.acquiring.clear();
    for (const resolve of this.playing.values()) resolve(FAILED);
    this.playing.clear();
    this.keyListeners.clear();
  }
}
