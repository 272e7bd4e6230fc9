/**
 * The sipp scenarios of test/e2e/scenarios run by file name in a real-software test's folder (sippScenario), so that a
 * test says which call it makes and checks what came of it: `call` starts the answering side, waits until it listens,
 * runs the calling side to its end, then waits for the answering side's end, and gives both runs (exit code, trace
 * log, what sipp printed); `answerer` starts the answering side alone, for a test whose caller is not sipp; `play`
 * runs one scenario to its end. Checking the exit codes stays with the test.
 */
import { join } from 'node:path';
import { E2E_SCENARIOS, sippScenario, waitUdpBound } from './real-sip-tools.js';

/** One sipp run's end: its exit code (0: every message as the scenario expects), trace log, what it printed, its time. */
export type ScenarioRun = Awaited<ReturnType<typeof sippScenario>>;

export interface ScenarioSide {
  /** The scenario's file name in test/e2e/scenarios. */
  scenario: string;
  /** Where this sipp listens and sends from. */
  at: { host: string; port: number };
  /** The scenario's [did], [caller]... (`-key`). */
  keys?: Record<string, string>;
  /** sipp's RTP port on `at.host` (`-mi`, `-mp`), for a scenario that plays a pcap or answers with media. */
  media?: number;
  /** Bounds the whole run (the runner's default, else sippScenario's 20 s). */
  timeoutSeconds?: number;
  /** `t1`: over TCP (the runner's default, else UDP). */
  transport?: 'u1' | 't1';
}

export interface CallingSide extends ScenarioSide {
  /** Where it sends its requests: drachtio-server's SIP address, `host:port`. */
  target: string;
}

export interface ScenarioRunner {
  /** Runs `side` to its end: a calling side towards its target, else an answering side (a UAS). */
  play(side: ScenarioSide | CallingSide): Promise<ScenarioRun>;
  /** Starts the answering side (a UAS) and resolves once it listens; `done` is its run's end. */
  answerer(side: ScenarioSide): Promise<{ done: Promise<ScenarioRun> }>;
  /** The answering side listening, then the calling side to its end, then the answering side's end: both runs. */
  call(answerer: ScenarioSide, caller: CallingSide): Promise<{ caller: ScenarioRun; answerer: ScenarioRun }>;
}

/**
 * A runner for the test whose folder `dir()` gives (read at each run: the folder is made in beforeAll); `defaults`
 * apply to every side that does not say otherwise.
 */
export function scenarioRunner(
  dir: () => string,
  defaults: Pick<ScenarioSide, 'timeoutSeconds' | 'transport'> = {},
): ScenarioRunner {
  const run = (side: ScenarioSide, target: string | null): Promise<ScenarioRun> => {
    const timeoutSeconds = side.timeoutSeconds ?? defaults.timeoutSeconds;
    const transport = side.transport ?? defaults.transport;
    return sippScenario(dir(), join(E2E_SCENARIOS, side.scenario), target, side.at, side.keys, {
      ...(side.media !== undefined && { media: { host: side.at.host, port: side.media } }),
      ...(timeoutSeconds !== undefined && { timeoutSeconds }),
      ...(transport !== undefined && { transport }),
    });
  };
  const answerer = async (side: ScenarioSide): Promise<{ done: Promise<ScenarioRun> }> => {
    const done = run(side, null);
    await waitUdpBound(side.at.host, side.at.port);
    return { done };
  };
  return {
    play: (side) => run(side, 'target' in side ? side.target : null),
    answerer,
    async call(answering, caller) {
      const { done } = await answerer(answering);
      const called = await run(caller, caller.target);
      return { caller: called, answerer: await done };
    },
  };
}
