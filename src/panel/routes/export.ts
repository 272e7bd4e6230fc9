/**
 * `GET /api/export`: the register in crocetta's format (`?format=json|csv`, `&only=mark,history,attempt,called`),
 * streamed from one read transaction, or `?format=kamailio-htable`: the nuisance numbers as a Kamailio htable
 * (docs/pbx/kamailio-front.md).
 */
import { Router } from 'express';
import { z } from 'zod';
import { exportRegister, htableEntries } from '../../sharing/export.js';
import { writeKamailioHtable } from '../../sharing/formats/kamailio-htable.js';
import type { PanelDeps } from '../deps.js';
import { parseRequest, text } from '../request.js';

const KINDS = ['mark', 'history', 'attempt', 'called'] as const;

const exportQuery = z.object({
  format: text().pipe(
    z.enum(['json', 'csv', 'kamailio-htable'], { error: 'expected json, csv or kamailio-htable' }).optional(),
  ),
  only: text(200).pipe(
    z
      .string()
      .optional()
      .transform((v) => v?.split(','))
      .pipe(z.array(z.enum(KINDS), { error: 'expected mark, history, attempt, called' }).optional()),
  ),
});

export function exportRouter(deps: Pick<PanelDeps, 'sharing' | 'clock'>): Router {
  const router = Router();
  const { file } = deps.sharing;

  router.get('/api/export', async (req, res) => {
    const q = parseRequest(req, { query: exportQuery }).query;
    const format = q.format ?? 'json';
    if (format === 'kamailio-htable') {
      res.attachment('crocetta_nuisance');
      res.type('text/plain');
      await writeKamailioHtable(res, htableEntries(file));
      res.end();
      return;
    }
    res.attachment(`crocetta-register.${format === 'json' ? 'jsonl' : 'csv'}`);
    res.type(format === 'json' ? 'application/x-ndjson' : 'text/csv');
    await exportRegister(file, res, { format, now: deps.clock.now(), ...(q.only && { include: q.only }) });
    res.end();
  });

  return router;
}
