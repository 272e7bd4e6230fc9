/**
 * The HTTP side, built apart from listen() so tests can mount it: security headers, health, readiness and metrics,
 * the static assets, the one auth middleware (authenticate.ts), then one router per resource (routes/*.ts), each
 * with its pages and its JSON API routes. error-handler.ts is the only place that knows HTTP status codes.
 */
import express, { type Express, type Response } from 'express';
import helmet from 'helmet';
import { authenticate, readsDetails, scrapes } from './authenticate.js';
import type { PanelDeps } from './deps.js';
import { errorHandler, notFound, type PanelErrors } from './error-handler.js';
import type { MessageKey } from './i18n.js';
import { ImportJobs } from './import-jobs.js';
import { chooseLanguage, langOf, localeOf } from './page.js';
import { errorPage } from './pages/login.js';
import { dashboardRouter } from './routes/dashboard.js';
import { dossierRouter } from './routes/dossier.js';
import { exportRouter } from './routes/export.js';
import { feedRouter } from './routes/feed.js';
import { friendsRouter } from './routes/friends.js';
import { importRouter } from './routes/import.js';
import { numbersRouter } from './routes/numbers.js';
import { rankingsRouter } from './routes/rankings.js';
import { registerRouter } from './routes/register.js';
import { sessionRouter } from './routes/session.js';
import { settingsRouter } from './routes/settings.js';
import { CSS_ASSET, ICON_ASSET, JS_ASSET, chartJsPath, type Asset } from './static-assets.js';

export type { PanelDeps } from './deps.js';

function serve(res: Response, asset: Asset): void {
  res.set('Cache-Control', 'public, max-age=3600').set('ETag', asset.etag).type(asset.type).send(asset.body);
}

/** An error page's title by status (anything else: "Something went wrong"). */
const ERROR_TITLES: Readonly<Record<number, MessageKey>> = {
  403: 'errorForbidden',
  404: 'notFound',
  409: 'errorBusy',
  413: 'errorTooLarge',
  415: 'errorUnsupported',
  429: 'errorTooMany',
  503: 'errorUnavailable',
};

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
  const detailed = readsDetails({ sessions: deps.sessions, apiToken: deps.apiToken });
  app.get('/readyz', (req, res) => {
    const all = deps.readiness();
    const ready = Object.values(all).every(Boolean);
    // Each carrier line's state and kind of trouble, in the config's order. Its user name and its carrier's address
    // only for the API token or a logged-in session: the panel's port may be reachable from outside the office.
    const full = detailed(req);
    const checks = full ? all : Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('trunk:')));
    const accounts = (deps.trunkAccounts?.() ?? []).map((a, i) =>
      full
        ? { account: a.account, name: a.name, carrier: a.carrier, state: a.status.state, problem: a.status.problem }
        : { line: i + 1, state: a.status.state, problem: a.status.problem },
    );
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not ready', checks, ...(accounts.length > 0 ? { trunk: accounts } : {}) });
  });
  const metricsAuth = scrapes({ sessions: deps.sessions, apiToken: deps.apiToken, metricsToken: deps.metricsToken });
  app.get('/metrics', metricsAuth, async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.get('/assets/panel.css', (_req, res) => serve(res, CSS_ASSET));
  app.get('/assets/panel.js', (_req, res) => serve(res, JS_ASSET));
  app.get('/favicon.ico', (_req, res) => serve(res, ICON_ASSET));
  const chartJs = chartJsPath();
  app.get('/assets/chart.umd.min.js', (_req, res) => {
    res.sendFile(chartJs, { maxAge: 3600_000, headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  });

  app.use(chooseLanguage);
  app.use(authenticate({ sessions: deps.sessions, apiToken: deps.apiToken, feedToken: deps.feed.feedToken }));
  // Read your calls: a page or API read asked right after a call's answer sees that call. The answer may leave once
  // the attempt is journaled, before its commit (deferred by a few ms under load): reads start that commit and wait
  // for it (at once while the disk refuses writes). Only after authentication: strangers cannot force commits.
  app.use((req, _res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    deps.register.caughtUp().then(() => next(), next);
  });

  const { sharing } = deps;
  const imports = new ImportJobs(
    { ...sharing, defaultCountry: deps.defaultCountry, timeZone: deps.timeZone, clock: deps.clock },
    deps.logger,
  );
  app.use(sessionRouter(deps));
  app.use(dashboardRouter(deps));
  app.use(registerRouter(deps));
  app.use(numbersRouter(deps));
  app.use(rankingsRouter(deps));
  app.use(settingsRouter(deps));
  app.use(dossierRouter(deps));
  app.use(importRouter(imports, deps));
  app.use(exportRouter(deps));
  app.use(feedRouter(deps));
  app.use(friendsRouter(deps));

  const panelErrors: PanelErrors = {
    page: (req, status, message) => {
      const loc = localeOf(req, deps.timeZone, deps.defaultCountry);
      return errorPage(loc, loc.t(ERROR_TITLES[status] ?? 'error'), message).toString();
    },
    langOf,
  };
  app.use(notFound(panelErrors));
  app.use(errorHandler(deps.logger, panelErrors));
  return app;
}
