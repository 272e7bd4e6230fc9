/**
 * What the refusing actions and the human check need, from the validated config: the announcer and its recordings,
 * the check's prompt, the ring delay and the 608 contact. Built once at start, whatever the actions say today (the panel may switch a verdict to an
 * announcement at run time); a bad recording stops the start. Ports are bound only while a message plays.
 */
import { resolve } from 'node:path';
import { configuredActions } from '../config/derive.js';
import { projectRoot } from '../config/loader.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { loadCheckPrompt, openMedia, type Media } from '../media/index.js';
import type { ActionDeps } from './handle-request.js';
import { ackTimeoutMsOf } from './trunk-dialog.js';

export interface ActionSetup {
  deps: ActionDeps;
  media: Media;
}

export function createActionDeps(config: Config, logger: Logger, metrics: Metrics): ActionSetup {
  const actions = configuredActions(config);
  const a = config.announcements;
  const media = openMedia({
    mediaAddress: config.media.address,
    bindAddress: config.media.bindAddress,
    rtpPorts: config.media.rtpPorts,
    rtpThreadNice: config.media.rtpThreadNice,
    rtpThreadRealtime: config.media.rtpThreadRealtime,
    maxConcurrent: a.maxConcurrent,
    repeat: a.repeat,
    gapMs: a.gapMs,
    maxSeconds: a.maxSeconds,
    language: a.language,
    defaultFile: a.files.default,
    byVerdict: a.files.byVerdict,
    byCategory: a.files.byCategory,
    builtInDir: resolve(projectRoot(), 'assets/announcements'),
    baseDir: process.cwd(),
    startNow: actions.some((x) => x.kind === 'announce-early' || x.kind === 'announce-answer' || x.kind === 'check'),
    onError: (err) => logger.error({ err }, 'the RTP worker thread failed; announcements start it again'),
    onPriority: (p) => logger.info(p, 'RTP worker thread priority'),
    onRefused: (reason, use) => metrics.mediaFallbacks.inc({ reason, use }),
  });
  logger.info(
    {
      recordings: media.catalog.all.map((r) => ({ name: r.name, seconds: Number(r.seconds.toFixed(2)) })),
      ports: config.media.rtpPorts,
    },
    'announcements ready',
  );
  return {
    media,
    deps: {
      announcer: media.announcer,
      catalog: media.catalog,
      mediaAddress: config.media.address,
      ringDelayMs: config.actions.ringDelayMs,
      reject608: config.reject608,
      check: {
        digit: config.check.digit,
        waitSeconds: config.check.waitSeconds,
        prompt: loadCheckPrompt({
          language: config.check.language,
          file: config.check.file,
          builtInDir: resolve(projectRoot(), 'assets/check'),
          baseDir: process.cwd(),
        }),
        maxNoMs: a.maxSeconds * 1000,
        ackTimeoutMs: ackTimeoutMsOf(config),
      },
    },
  };
}
