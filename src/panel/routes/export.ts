/**
 * `GET /api/export`: the register in crocetta's format (`?format=json|csv`, `&only=mark,history,attempt,called`),
 * streamed from one read transaction, or `?format=kamailio-htable`: the nuisance numbers as a Kamailio htable
 * (docs/pbx/kamailio-front.md), or `?format=fritzbox`: the nuisance numbers as a FRITZ!Box phonebook (the list to
 * give a friend: their Import reads it as nuisance marks; the panel's Lists and rules page links all three).
 */
import { Router } from 'express';
import { z } from 'zod';
import { exportRegister, htableEntries, phonebookEntries } from '../../sharing/export.js';
import { writeFritzbox } from '../../sharing/formats/fritzbox.js';
import { writeKamailioHtable } from '../../sharing/formats/kamailio-htable.js';
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

export function exportRouter(deps: Pick<PanelDeps, 'sharing' | 'clock'>): Router {
  const router = Router();
  const { file } = deps.sharing;

  router.get('/api/export', async (req, res) => {
    const q = parseRequest(req, { query: exportQuery }).query;
    const format = q.format ?? 'json';
    if (format === 'fritzbox') {
      res.attachment('crocetta-nuisance-phonebook.xml');
      res.type('application/xml');
      await writeFritzbox(res, phonebookEntries(file));
      res.end();
      return;
    }
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
