/**
 * bench/journal-writes.cjs: counts the attempts journal's write()s in a crocetta that bench/sip.ts starts, where the
 * register's own counters (bench:register's paced rounds) do not reach: preloaded with
 * `--node-flags 'cnt@answer-first:--require=./bench/journal-writes.cjs JOURNAL_WRITES_OUT=/tmp/cnt /path/to/dist/src/main.js'`
 * (a path relative to the bench's working directory, this tree's root).
 *
 * Wraps fs.writeSync (and the ESM binding crocetta's journal.ts imports, syncBuiltinESMExports) on the main thread only
 * (not the RTP worker); a write() counts when its descriptor is a journal segment (`<register>.journal.<n>`). Every
 * second and at exit it writes `<JOURNAL_WRITES_OUT>-<pid>.json`: write()s, lines, attempt and update lines (by kind),
 * lines per write() (`perWrite`), journal write()s per synchronous run (`perRun`, a run closed by a microtask queued at
 * its first write(): a group written in a microtask of its own counts as a run of its own) and update lines per run
 * (`updatesPerRun`), and the µs spent in those write()s. Session 40 (jrn40): answering first at 100 proxied calls/s,
 * 75% of the update lines came in runs of 2–10 (docs/measurements.md). The wrapper's own cost (a readlink per new
 * descriptor, a string of each write()) is in the figures of the application it runs in: compare counted with counted.
 */
'use strict';
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const fs = require('node:fs');
  const { syncBuiltinESMExports } = require('node:module');
  const writeSync = fs.writeSync;
  const out = `${process.env.JOURNAL_WRITES_OUT ?? '/tmp/journal-writes'}-${process.pid}.json`;
  const isJournal = new Map();
  const counts = {
    argv: process.argv.slice(1),
    writes: 0,
    lines: 0,
    attemptLines: 0,
    updateLines: 0,
    updates: {},
    perWrite: {},
    runs: 0,
    perRun: {},
    updatesPerRun: {},
    us: 0,
  };
  let run = null;
  const endRun = () => {
    counts.perRun[run.writes] = (counts.perRun[run.writes] ?? 0) + 1;
    counts.updatesPerRun[run.updates] = (counts.updatesPerRun[run.updates] ?? 0) + 1;
    run = null;
  };
  const journalFd = (fd) => {
    let journal = isJournal.get(fd);
    if (journal === undefined) {
      try {
        journal = /\.journal\.\d+$/.test(fs.readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        journal = false;
      }
      isJournal.set(fd, journal);
    }
    return journal;
  };
  fs.writeSync = function (fd, buffer, offset, length, ...rest) {
    if (typeof fd !== 'number' || !Buffer.isBuffer(buffer) || !journalFd(fd)) {
      // Not a journal segment (now): asked again next time, as descriptors are reused.
      if (typeof fd === 'number') isJournal.delete(fd);
      return writeSync.call(this, fd, buffer, offset, length, ...rest);
    }
    const started = process.hrtime.bigint();
    const written = writeSync.call(this, fd, buffer, offset, length, ...rest);
    counts.us += Number(process.hrtime.bigint() - started) / 1000;
    const from = offset ?? 0;
    const text = buffer.subarray(from, from + (length ?? buffer.length - from)).toString('utf8');
    let lines = 0;
    let updates = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      lines++;
      if (!line.startsWith('{')) continue;
      updates++;
      const kind = /^\{"update":"(\w+)"/.exec(line)?.[1] ?? '?';
      counts.updates[kind] = (counts.updates[kind] ?? 0) + 1;
    }
    counts.writes++;
    counts.lines += lines;
    counts.updateLines += updates;
    counts.attemptLines += lines - updates;
    counts.perWrite[lines] = (counts.perWrite[lines] ?? 0) + 1;
    if (run === null) {
      run = { writes: 0, updates: 0 };
      counts.runs++;
      queueMicrotask(endRun);
    }
    run.writes++;
    run.updates += updates;
    return written;
  };
  syncBuiltinESMExports();
  const save = () => fs.writeFileSync(out, JSON.stringify(counts));
  setInterval(save, 1000).unref();
  process.on('exit', save);
}
