/**
 * `GET /api/export`: the register in crocetta's format (`?format=json|csv`, `&only=mark,history,attempt,called`),
 * streamed from one read transaction, or `?format=kamailio-htable`: the nuisance numbers as a Kamailio htable
 * (docs/pbx/kamailio-front.md), or `?format=fritzbox`: the nuisance numbers as a FRITZ!Box phonebook (the list to
 * give a friend: their Import reads it as nuisance marks; the panel's Lists and rules page links all three).
 */
import { Router } from 'express';
import { z } from 'zod';
import { exportRegister, writeNuisanceList, type NuisanceListFormat } from '../../sharing/export.js';
import { localDate } from '../../time/zoned-time.js';
import type { PanelDeps } from '../deps.js';
import { parseRequest, text } from '../request.js';

const KINDS = ['mark', 'history', 'attempt', 'called'] as const;

const exportQuery = z.object({
  format: text().pipe(
    z
      .enum(['json', 'csv', 'kamailio-htable', 'fritzbox'], {
        error: 'expected json, csv, kamailio-htable or fritzbox',
      })
      .optional(),
  ),
  only: text(200).pipe(
    z
      .string()
      .optional()
      .transform((v) => v?.split(','))
      .pipe(z.array(z.enum(KINDS), { error: 'expected mark, history, attempt, called' }).optional()),
  ),
});

/** The download's file name and media type of each nuisance list. */
const LIST_FILES: Record<NuisanceListFormat, { name: string; type: string }> = {
  fritzbox: { name: 'crocetta-nuisance-phonebook.xml', type: 'application/xml' },
  'kamailio-htable': { name: 'crocetta_nuisance', type: 'text/plain' },
};

export function exportRouter(deps: Pick<PanelDeps, 'sharing' | 'clock' | 'timeZone'>): Router {
  const router = Router();
  const { file } = deps.sharing;

  router.get('/api/export', async (req, res) => {
    const q = parseRequest(req, { query: exportQuery }).query;
    const format = q.format ?? 'json';
    if (format === 'fritzbox' || format === 'kamailio-htable') {
      const list = LIST_FILES[format];
      res.attachment(list.name);
      res.type(list.type);
      await writeNuisanceList(format, file, res);
      res.end();
      return;
    }
    // Dated and named apart from the register view's CSV (crocetta-register-<day>.csv), so a folder of downloads tells
    // the whole backup from a filtered view at a glance.
    const day = localDate(deps.clock.now(), deps.timeZone);
    res.attachment(`crocetta-backup-${day}.${format === 'json' ? 'jsonl' : 'csv'}`);
    res.type(format === 'json' ? 'application/x-ndjson' : 'text/csv');
    await exportRegister(file, res, { format, now: deps.clock.now(), ...(q.only && { include: q.only }) });
    res.end();
  });

  return router;
}
