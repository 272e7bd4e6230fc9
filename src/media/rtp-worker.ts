/**
 * The RTP worker thread (started by rtp-thread.ts): owns the announcement sockets and the pacer, so the pacer's
 * precise sleeps and bursts happen here, never on the event loop that answers SIP and the panel. Same PortPool and
 * RtpPacer as in-process: symmetric RTP, latching to the caller's source, the shared grid, played-ms accounting.
 * A stream stops when the main thread writes a reason into its slot of the shared `flags` (checked before every
 * packet), and the `stop` message that follows ends it at once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PortPool, type RtpLease } from './port-pool.js';
import { RtpPacer, type RtpStream } from './rtp-player.js';
import { reasonOfCode, type FromWorker, type ToWorker, type WorkerSetup } from './rtp-thread.js';
import { TelephoneEvents } from './dtmf.js';
import { raiseThreadPriority } from './thread-priority.js';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (port === null) throw new Error('rtp-worker.ts runs as a worker thread');

const pool = new PortPool(setup.range, setup.bindAddress);
const pacer = new RtpPacer();
const flags = new Int32Array(setup.flags);
const firstPort = setup.range.low + (setup.range.low % 2);
const recordings = new Map<number, Uint8Array>();
const leases = new Map<number, { lease: RtpLease; slot: number; stream: RtpStream | null }>();

const post = (m: FromWorker): void => port.postMessage(m);

async function acquire(id: number): Promise<void> {
  const lease = await pool.acquire();
  if (lease === null) {
    post({ t: 'acquired', id, port: null, slot: -1 });
    return;
  }
  const slot = (lease.port - firstPort) / 2;
  Atomics.store(flags, slot, 0);
  leases.set(id, { lease, slot, stream: null });
  post({ t: 'acquired', id, port: lease.port, slot });
}

function play(m: Extract<ToWorker, { t: 'play' }>): void {
  const entry = leases.get(m.id);
  const audio = recordings.get(m.recording);
  if (entry === undefined || audio === undefined || entry.stream !== null) {
    // No such lease, no such recording, or a stream still playing on it (one at a time per lease).
    post({ t: 'ended', id: m.id, result: { playedMs: 0, packets: 0, endedBy: 'error', latchedTo: null } });
    return;
  }
  const slot = entry.slot;
  try {
    entry.stream = pacer.play({
      ...m.spec,
      audio,
      socket: entry.lease.socket,
      stopSignal: () => reasonOfCode(Atomics.load(flags, slot)),
    });
  } catch {
    post({ t: 'ended', id: m.id, result: { playedMs: 0, packets: 0, endedBy: 'error', latchedTo: null } });
    return;
  }
  const stream = entry.stream;
  void stream.done.then((result) => {
    if (entry.stream === stream) entry.stream = null; // the lease may play its next stream (the check's NO)
    post({ t: 'ended', id: m.id, result });
  });
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'recording':
      recordings.set(m.key, m.audio);
      break;
    case 'acquire':
      void acquire(m.id);
      break;
    case 'play':
      play(m);
      break;
    case 'listen': {
      const entry = leases.get(m.id);
      if (entry === undefined) break;
      const events = new TelephoneEvents(m.payloadType);
      const id = m.id;
      entry.lease.socket.on('message', (msg: Buffer) => {
        const key = events.push(msg);
        if (key !== null) post({ t: 'key', id, key });
      });
      break;
    }
    case 'stop':
      leases.get(m.id)?.stream?.stop(m.reason);
      break;
    case 'release': {
      const entry = leases.get(m.id);
      if (entry === undefined) break;
      leases.delete(m.id);
      entry.stream?.stop('shutdown');
      entry.lease.release();
      break;
    }
    case 'stopAll':
      pacer.stopAll();
      break;
  }
});
post({ t: 'ready', priority: raiseThreadPriority({ nice: setup.nice, realtime: setup.realtime }) });
