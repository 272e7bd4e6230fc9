/** Builders for tests and benchmarks of the store. Not used by the service. */
import type { NewAttempt } from './register/types.js';

/** A plausible forwarded call from `callerKey` at `time`; override any field. */
export function newAttempt(callerKey: string | null, time: number, over: Partial<NewAttempt> = {}): NewAttempt {
  return {
    time,
    kind: 'call',
    callerKey,
    callerE164: callerKey?.startsWith('+') ? callerKey : null,
    callerRaw: callerKey === null ? null : callerKey.replace(/^raw:/, ''),
    callerName: null,
    callerSource: 'from',
    withheld: callerKey === null,
    calledNumber: '+390212345678',
    verdict: 'unknown',
    score: 0.1,
    reasons: [],
    action: 'allow',
    failOpen: false,
    callId: `call-${time}-${Math.random().toString(36).slice(2, 10)}`,
    sourceAddress: '192.0.2.10',
    userAgent: 'test-ua',
    outcome: 'pending',
    finalStatus: null,
    messageLength: null,
    messageText: null,
    ...over,
  };
}
