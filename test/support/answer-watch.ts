/**
 * For the answer-first tests (test/integration/answer-first-*.test.ts): was the call already answered when the
 * classifier ran? Each test keeps its `watch` in `vi.hoisted` and mocks src/screening/classify.js with
 * `watchingClassify`, imported inside the factory (vi.mock is hoisted above the test's imports):
 *
 *   vi.mock('../../src/screening/classify.js', async (importOriginal) =>
 *     (await import('../support/answer-watch.js')).watchingClassify(await importOriginal(), watch));
 *
 * and calls `watchAnswers(watch)` once its app is up.
 */
import { createRequire } from 'node:module';
import { vi } from 'vitest';
import type * as Classify from '../../src/screening/classify.js';

export interface AnswerWatch {
  /** Set once a final response or a proxy is handed to drachtio-srf; the test clears it before each call. */
  answered: boolean;
  /** `answered` at each classification, in order. */
  answeredAtClassify: boolean[];
}

/** classify.js with createClassifier's classifiers noting `watch.answered` at each call; their members kept. */
export function watchingClassify(original: typeof Classify, watch: AnswerWatch): typeof Classify {
  return {
    ...original,
    createClassifier: (...args: Parameters<typeof original.createClassifier>) => {
      const classifier = original.createClassifier(...args);
      // markedNuisance, surelyUnknown and any later member, as screen() reads them.
      return Object.assign((...call: Parameters<typeof classifier>) => {
        watch.answeredAtClassify.push(watch.answered);
        return classifier(...call);
      }, classifier);
    },
  };
}

const require = createRequire(import.meta.url);
/** drachtio-srf's Response and Request: send() and proxy() are where an answer is handed to drachtio-srf. */
const Response = require('drachtio-srf/lib/response.js') as {
  prototype: { send: (this: void, ...args: unknown[]) => unknown };
};
const Request = require('drachtio-srf/lib/request.js') as {
  prototype: { proxy: (this: void, ...args: unknown[]) => unknown };
};

/** Sets `watch.answered` when a final response (send ≥ 200) or a proxy is handed over; vi.restoreAllMocks() ends it. */
export function watchAnswers(watch: AnswerWatch): void {
  const send = Response.prototype.send;
  vi.spyOn(Response.prototype, 'send').mockImplementation(function (this: void, ...args: unknown[]) {
    if (typeof args[0] === 'number' && args[0] >= 200) watch.answered = true;
    return send.apply(this, args);
  });
  const proxy = Request.prototype.proxy;
  vi.spyOn(Request.prototype, 'proxy').mockImplementation(function (this: void, ...args: unknown[]) {
    watch.answered = true;
    return proxy.apply(this, args);
  });
}
