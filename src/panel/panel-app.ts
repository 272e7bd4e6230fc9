import express, { type Express, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { apiRouter, type ApiDeps } from './api.js';
import { sharingRouter, type SharingApiDeps } from './sharing-api.js';
import { feedRouter, type FeedApiDeps } from './feed-api.js';
import { ImportJobs } from './import-jobs.js';
import { importJobsApi } from './import-routes.js';
import { errorHandler, notFound, type ErrorPage } from './error-handler.js';
import { localeOf, panelRouter, type PanelPagesDeps } from './panel-routes.js';
import { errorPage } from './pages/login.js';
import { CSS_ASSET, JS_ASSET, chartJsPath, type Asset } from './static-assets.js';

export interface PanelDeps extends ApiDeps {
  logger: Logger;
  metrics: Metrics;
  /** What /readyz checks, by name: true when that part is ready. */
  readiness: () => Record<string, boolean>;
  /** `GET /api/export`, `POST /api/import` (src/sharing); without it those routes are not mounted. */
  sharing?: SharingApiDeps;
  /** `GET /api/feed` (friends' feeds); without it the route is not mounted. */
  feed?: FeedApiDeps;
  /** The office's pages (login, dashboard, register, rankings...); without them only health, metrics and API. */
  pages?: PanelPagesDeps;
}

function serve(res: Response, asset: Asset): void {
  res.set('Cache-Control', 'public, max-age=3600').set('ETag', asset.etag).type(asset.type).send(asset.body);
}

/** The HTTP side (health, metrics, JSON API, the panel's pages), built apart from listen() so tests can mount it. */
export function createPanelApp(deps: PanelDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // The panel is usually reached over plain HTTP on the office LAN: no HSTS, no upgrade of requests.
      strictTransportSecurity: false,
    }),
  );

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

  // Export and import stream their bodies: mounted before the JSON body parser and its 64 kB limit.
  if (deps.feed !== undefined) app.use('/api', feedRouter(deps.feed));
  // The import page's jobs share the one-at-a-time lock with `POST /api/import`.
  const imports = deps.sharing !== undefined && deps.pages !== undefined ? new ImportJobs(deps.sharing, deps.logger) : undefined;
  if (imports !== undefined) app.use('/api', importJobsApi(imports, deps));
  if (deps.sharing !== undefined) app.use('/api', sharingRouter(deps.sharing, deps, imports));
  app.use('/api', express.json({ limit: '64kb' }), apiRouter(deps));

  let page: ErrorPage | undefined;
  if (deps.pages !== undefined) {
    const { timeZone } = deps.pages;
    app.get('/assets/panel.css', (_req, res) => serve(res, CSS_ASSET));
    app.get('/assets/panel.js', (_req, res) => serve(res, JS_ASSET));
    const chartJs = chartJsPath();
    app.get('/assets/chart.umd.min.js', (_req, res) => {
      res.sendFile(chartJs, { maxAge: 3600_000, headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
    });
    page = (req, status, message) => {
      const loc = localeOf(req, timeZone);
      return errorPage(loc, status === 404 ? loc.t('notFound') : loc.t('error'), message).toString();
    };
    app.use(panelRouter({ ...deps.pages, ...(imports !== undefined && { imports }) }));
  }

  app.use(notFound(page));
  app.use(errorHandler(deps.logger, page));
  return app;
}
