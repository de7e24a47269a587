// The /reports pages: all four reports on one page, each also on its own page with the filters of
// its API, and each as a CSV download (`?format=csv`, with a BOM for spreadsheets).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Db } from '../../db.js';
import { coverageGaps, leadTimes, lineupPlan, suspectTransfersReport } from '../../domain/reports.js';
import { listRoadModels } from '../../domain/road-models.js';
import { allTechnologyNames } from '../../domain/technologies.js';
import { FormatParam } from '../../schemas/matrix.js';
import { CoverageGapsQuery, SuspectTransfersQuery } from '../../schemas/reports.js';
import { asksForCsv, LeadTimesQuery, reportCsv, reportFileName, sendCsv, type ReportName } from '../api/v1/reports.js';
import type { Option } from '../../../views/components/forms.js';
import {
  GapsPage,
  GapsResults,
  LeadTimesPage,
  LineupPage,
  ReportsPage,
  SuspectPage,
  SuspectResults,
} from '../../../views/pages/reports/report-views.js';
import { allOf } from './programs.js';
import { pageContext, renderPage } from './render.js';

const LIST_CRUMB = { label: 'Reports', href: '/reports' };

const GapsPageQuery = Type.Object({ ...CoverageGapsQuery.properties, format: FormatParam });
const SuspectPageQuery = Type.Object({ ...SuspectTransfersQuery.properties, format: FormatParam });
const FormatOnly = Type.Object({ format: FormatParam });

export function roadModelOptions(db: Db): Option[] {
  return allOf((q) => listRoadModels(db, q))
    .map((m) => ({ value: String(m.id), label: m.name }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

function technologyOptions(db: Db): Option[] {
  return allTechnologyNames(db).map((t) => ({ value: String(t.id), label: t.name }));
}

export async function reportsPages(app: FastifyInstance) {
  /** A CSV download when asked for (`?format=csv`), else undefined. */
  function csvDownload(request: FastifyRequest, reply: FastifyReply, name: ReportName): FastifyReply | undefined {
    if (!asksForCsv(request)) return undefined;
    const query = (request.query ?? {}) as Record<string, unknown>;
    return sendCsv(reply, reportFileName(name, query), reportCsv(app.db, name, query, { bom: true }));
  }

  app.get('/reports', async (request, reply) => {
    const ctx = pageContext(request, reply);
    const data = {
      gaps: coverageGaps(app.db),
      suspects: suspectTransfersReport(app.db),
      leadTimes: leadTimes(app.db),
      lineup: lineupPlan(app.db),
    };
    return renderPage(request, reply, ctx, { title: 'Reports' }, <ReportsPage data={data} />);
  });

  app.get('/reports/coverage-gaps', { schema: { querystring: GapsPageQuery, hide: true } }, async (request, reply) => {
    const csv = csvDownload(request, reply, 'coverage-gaps');
    if (csv) return csv;
    const query = request.query as Static<typeof GapsPageQuery>;
    const rows = coverageGaps(app.db, query);
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: 'Coverage gaps', breadcrumbs: [LIST_CRUMB, { label: 'Coverage gaps' }] },
      <GapsPage rows={rows} query={ctx.query} roadModels={roadModelOptions(app.db)} />,
      <GapsResults rows={rows} query={ctx.query} />,
    );
  });

  app.get('/reports/suspect-transfers', { schema: { querystring: SuspectPageQuery, hide: true } }, async (request, reply) => {
    const csv = csvDownload(request, reply, 'suspect-transfers');
    if (csv) return csv;
    const query = request.query as Static<typeof SuspectPageQuery>;
    const rows = suspectTransfersReport(app.db, query);
    const ctx = pageContext(request, reply);
    const options = { title: 'Suspect transfers', breadcrumbs: [LIST_CRUMB, { label: 'Suspect transfers' }] };
    // JSX renders at once: the filter's pickers only for the full page, not for htmx partials.
    if (request.isPartial) {
      const results = <SuspectResults rows={rows} query={ctx.query} />;
      return renderPage(request, reply, ctx, options, results, results);
    }
    return renderPage(request, reply, ctx, options, <SuspectPage rows={rows} query={ctx.query} roadModels={roadModelOptions(app.db)} technologies={technologyOptions(app.db)} />);
  });

  app.get('/reports/lead-times', { schema: { querystring: LeadTimesQuery, hide: true } }, async (request, reply) => {
    const csv = csvDownload(request, reply, 'lead-times');
    if (csv) return csv;
    const ctx = pageContext(request, reply);
    return renderPage(request, reply, ctx, { title: 'Lead times', breadcrumbs: [LIST_CRUMB, { label: 'Lead times' }] }, <LeadTimesPage report={leadTimes(app.db)} />);
  });

  app.get('/reports/lineup-plan', { schema: { querystring: FormatOnly, hide: true } }, async (request, reply) => {
    const csv = csvDownload(request, reply, 'lineup-plan');
    if (csv) return csv;
    const ctx = pageContext(request, reply);
    return renderPage(request, reply, ctx, { title: 'Line-up plan', breadcrumbs: [LIST_CRUMB, { label: 'Line-up plan' }] }, <LineupPage rows={lineupPlan(app.db)} />);
  });
}
