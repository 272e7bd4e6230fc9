import express, { type Express } from 'express';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { apiRouter, type ApiDeps } from './api.js';
import { errorHandler, notFound } from './error-handler.js';

export interface PanelDeps extends ApiDeps {
  logger: Logger;
  metrics: Metrics;
  /** What /readyz checks, by name: true when that part is ready. */
  readiness: () => Record<string, boolean>;
}

/** The HTTP side (health, metrics, JSON API), built apart from listen() so tests can mount it. */
export function createPanelApp(deps: PanelDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const checks = deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.use('/api', express.json({ limit: '64kb' }), apiRouter(deps));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
