/**
 * What the office tunes while crocetta runs (src/settings): the screening rules (`/rules`: prefix rules, country
 * packs, the repeat rule) and the action per verdict (`/settings`, `/settings/reset`). A change is validated by the
 * config file's own schema; a value it refuses is shown on the page, in the office's language, naming the field as
 * the page labels it (zod-error-text.ts); nothing is saved.
 */
import { Router, type Request, type Response } from 'express';
import { z, ZodError } from 'zod';
import { liveSettingsSchema, type LiveValues } from '../../settings/live-settings.js';
import type { PanelDeps } from '../deps.js';
import { langOf, pageContext, sendHtml } from '../page.js';
import type { PageContext } from '../pages/layout.js';
import { applyPolicyForm } from '../policy-form.js';
import { textIn } from '../i18n.js';
import { prefixFromTyped, prefixText } from '../phone-text.js';
import { rulesPage } from '../pages/rules.js';
import { settingsPage } from '../pages/settings.js';
import { checkbox, parseRequest, text } from '../request.js';
import { zodErrorText } from '../zod-error-text.js';

const screening = liveSettingsSchema.shape.screening.shape;

/** The rules page's forms, one per section; each section's values are checked by the config's schema. */
const rulesForm = z.object({
  section: z.enum(['prefix-add', 'prefix-remove', 'packs', 'repeat'], { error: 'unknown form' }),
  prefix: text(),
  verdict: text(),
  // Not cut: a label over the rule's 200 characters (the form's maxlength) is refused by the config's schema and said
  // on the page, as the rules' other values (a cut label was saved silently).
  label: text(Number.POSITIVE_INFINITY),
  index: text(),
  itEnabled: checkbox,
  itTelemarketing: text(),
  itSurveys: text(),
  frEnabled: checkbox,
  frAutomated: text(),
  enabled: checkbox,
  attempts: text(),
  withinDays: text(),
});

/** The settings page's forms: the policies' (policy-form.ts reads them), else an action per verdict. */
const settingsForm = z.record(z.string(), z.unknown());
/** An action per verdict (an absent field is an empty, refused, action). */
const anyText = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' ? v : ''));
const actionsForm = z.object({
  trusted: anyText,
  unknown: anyText,
  suspect: anyText,
  nuisance: anyText,
  withheld: anyText,
});

/** A prefix the rules already have, added again: said on the page (the rules cannot hold a prefix twice). */
class PrefixTwiceError extends Error {
  override name = 'PrefixTwiceError';
  constructor(readonly prefix: string) {
    super(`prefix ${prefix} is already a rule`);
  }
}

/**
 * The rules with one section changed as the form says (a ZodError when the config's schema refuses it, a
 * PrefixTwiceError for a prefix already there).
 */
function changedRules(values: LiveValues, f: z.output<typeof rulesForm>, country: string): LiveValues {
  const s = values.screening;
  switch (f.section) {
    case 'prefix-add': {
      // Typed as people write numbers (02 871769, +39 02…, 0039…): kept in E.164; other text goes to the schema as typed.
      const rule = screening.prefixes.element.parse({
        prefix: prefixFromTyped(f.prefix ?? '', country) ?? f.prefix ?? '',
        verdict: f.verdict,
        label: f.label ?? '',
      });
      if (s.prefixes.some((r) => r.prefix === rule.prefix)) throw new PrefixTwiceError(rule.prefix);
      s.prefixes.push(rule);
      break;
    }
    case 'prefix-remove':
      s.prefixes.splice(Number(f.index), 1);
      break;
    case 'packs':
      s.packs = screening.packs.parse({
        IT: { enabled: f.itEnabled, telemarketing: f.itTelemarketing, surveys: f.itSurveys },
        FR: { enabled: f.frEnabled, automated: f.frAutomated },
      });
      break;
    case 'repeat':
      s.repeat = screening.repeat.parse({
        enabled: f.enabled,
        attempts: Number(f.attempts),
        withinDays: Number(f.withinDays),
      });
      break;
  }
  return values;
}

export function settingsRouter(
  deps: Pick<PanelDeps, 'live' | 'clock' | 'timeZone' | 'defaultCountry' | 'logger'>,
): Router {
  const router = Router();
  const { live } = deps;
  const ctxOf = (req: Request, res: Response) => pageContext(req, res, deps);

  const saved = (req: Request, ctx: PageContext) =>
    req.query.saved === '1' ? { ok: true, text: ctx.loc.t('saved') } : null;

  /** Applies the values `change` returns; a refusal by the schema is shown with `render` instead. */
  const apply = async (
    req: Request,
    res: Response,
    change: () => LiveValues,
    render: (values: LiveValues, message: { ok: boolean; text: string }) => void,
  ) => {
    const values = live.current;
    try {
      await live.update(change());
    } catch (err) {
      if (err instanceof PrefixTwiceError) {
        const prefix = prefixText(err.prefix, deps.defaultCountry);
        render(values, { ok: false, text: textIn(langOf(req), 'errorPrefixTwice', { prefix }) });
        return;
      }
      if (!(err instanceof ZodError)) throw err;
      render(values, { ok: false, text: zodErrorText(langOf(req), err) });
      return;
    }
    deps.logger.info({ settings: live.current }, 'settings changed in the panel');
    res.redirect(303, `${req.path}?saved=1`);
  };

  router.get('/rules', (req, res) => {
    const ctx = ctxOf(req, res);
    sendHtml(res, rulesPage(ctx, { values: live.current, overlaid: live.isOverlaid, message: saved(req, ctx) }));
  });

  router.post('/rules', async (req, res) => {
    const form = parseRequest(req, { body: rulesForm }).body;
    const next = live.current;
    await apply(
      req,
      res,
      () => changedRules(next, form, deps.defaultCountry),
      (values, message) => sendHtml(res, rulesPage(ctxOf(req, res), { values, overlaid: live.isOverlaid, message })),
    );
  });

  router.get('/settings', (req, res) => {
    const ctx = ctxOf(req, res);
    sendHtml(res, settingsPage(ctx, { values: live.current, overlaid: live.isOverlaid, message: saved(req, ctx) }));
  });

  router.post('/settings', async (req, res) => {
    const form = parseRequest(req, { body: settingsForm }).body;
    const next = live.current;
    await apply(
      req,
      res,
      () => {
        if (!applyPolicyForm(next, form)) Object.assign(next.actions, actionsForm.parse(form));
        return next;
      },
      (_values, message) =>
        sendHtml(res, settingsPage(ctxOf(req, res), { values: next, overlaid: live.isOverlaid, message })),
    );
  });

  router.post('/settings/reset', async (_req, res) => {
    await live.reset();
    deps.logger.info('panel settings reset to the configuration file');
    res.redirect(303, '/settings?saved=1');
  });

  return router;
}
