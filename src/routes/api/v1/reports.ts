// The reports of DESIGN §3 as read-only endpoints: coverage gaps, suspect transfers, lead times
// and the line-up plan. Each body holds flat rows with a stable column order, and each answers
// CSV too (`?format=csv` or `Accept: text/csv`), with the same filters; the CSV columns are the
// row schema's properties in order.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static, type TObject, type TSchema } from 'typebox';
import type { Db } from '../../../db.js';
import { CSV_CONTENT_TYPE, csvDisposition, toCsv, wantsCsv, type CsvOptions } from '../../../domain/csv.js';
import { coverageGaps, leadTimes, lineupPlan, suspectTransfersReport } from '../../../domain/reports.js';
import { ref, StringEnum } from '../../../schemas/common.js';
import { FormatParam } from '../../../schemas/matrix.js';
import {
  CoverageGap,
  CoverageGapsQuery,
  CoverageGapsReport,
  LeadTimeRow,
  LeadTimeSeries,
  LeadTimesReport,
  LineupPlanReport,
  LineupPlanRow,
  SuspectTransferRow,
  SuspectTransfersQuery,
  SuspectTransfersReport,
} from '../../../schemas/reports.js';
import { errorResponses, jsonResponse } from './http.js';

const TAGS = ['Reports'];

/** A JSON success response that also offers `text/csv` (a string) for the same data. */
export function jsonOrCsvResponse<T extends TSchema>(schema: T, description: string, csvDescription: string) {
  const json = jsonResponse(schema, description);
  return {
    ...json,
    headers: { vary: { type: 'string', description: 'Accept: the same URL answers JSON or CSV.' } },
    content: {
      ...json.content,
      'text/csv': { schema: { type: 'string', description: csvDescription } },
    },
  };
}

/** Whether this request asks for CSV (`format=csv` or an Accept that prefers text/csv). */
export function asksForCsv(request: FastifyRequest): boolean {
  const format = (request.query as { format?: string } | undefined)?.format;
  return wantsCsv(format, request.headers.accept);
}

/** Sends a CSV download named `<basename>.csv`. */
export function sendCsv(reply: FastifyReply, basename: string, csv: string): FastifyReply {
  const vary = reply.getHeader('vary');
  void reply
    .header('content-type', CSV_CONTENT_TYPE)
    .header('content-disposition', csvDisposition(basename))
    .header('vary', vary ? `${String(vary)}, Accept` : 'Accept')
    .send(csv);
  return reply;
}

const columnsOf = (schema: TObject) => Object.keys(schema.properties);

export const LeadTimesQuery = Type.Object({
  table: Type.Optional(
    StringEnum(['transfers', 'per_series'] as const, {
      description: 'For CSV, which table: one row per transfer (default) or the summary per series. JSON holds both.',
    }),
  ),
  format: FormatParam,
});

export const REPORT_NAMES = ['coverage-gaps', 'suspect-transfers', 'lead-times', 'lineup-plan'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/** A report as CSV with the filters of its API query; shared with the /reports pages. */
export function reportCsv(db: Db, name: ReportName, query: Record<string, unknown>, options: CsvOptions = {}): string {
  switch (name) {
    case 'coverage-gaps':
      return toCsv(columnsOf(CoverageGap), coverageGaps(db, query as Static<typeof CoverageGapsQuery>), options);
    case 'suspect-transfers':
      return toCsv(columnsOf(SuspectTransferRow), suspectTransfersReport(db, query as Static<typeof SuspectTransfersQuery>), options);
    case 'lead-times': {
      const report = leadTimes(db);
      return query.table === 'per_series'
        ? toCsv(columnsOf(LeadTimeSeries), report.per_series, options)
        : toCsv(columnsOf(LeadTimeRow), report.transfers, options);
    }
    case 'lineup-plan':
      return toCsv(columnsOf(LineupPlanRow), lineupPlan(db), options);
  }
}

/** The download name of a report: `lead-times-per-series` for the summary table. */
export function reportFileName(name: ReportName, query: Record<string, unknown>): string {
  return name === 'lead-times' && query.table === 'per_series' ? 'lead-times-per-series' : name;
}

const withFormat = <T extends TObject>(schema: T) => Type.Object({ ...schema.properties, format: FormatParam });

export async function reportsRoutes(app: FastifyInstance) {
  const csvOr = (request: FastifyRequest, reply: FastifyReply, name: ReportName, json: () => unknown) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (asksForCsv(request)) return sendCsv(reply, reportFileName(name, query), reportCsv(app.db, name, query));
    void reply.header('vary', 'Accept');
    return json();
  };

  app.get('/api/v1/reports/coverage-gaps', {
    schema: {
      operationId: 'getCoverageGaps',
      tags: TAGS,
      summary: 'Coverage gaps (GAP-1, GAP-2, GAP-3)',
      description: [
        '- **GAP-1**: a transfer at evaluation, approved or in_production whose technology and its ancestors have no pass on a completed run.',
        "- **GAP-2**: a transfer at approved or in_production whose technology's current race TRL (latest assessment) is below 6 or missing.",
        '- **GAP-3**: a road model in development or production without a transfer (rejected transfers do not count).',
        '',
        'CSV (`?format=csv` or `Accept: text/csv`): the same rows and filters, one column per field.',
      ].join('\n'),
      querystring: withFormat(CoverageGapsQuery),
      response: {
        200: jsonOrCsvResponse(ref(CoverageGapsReport), 'The gaps, by rule, road model and technology', `Columns: ${columnsOf(CoverageGap).join(', ')}.`),
        ...errorResponses.read,
      },
    },
    handler: async (request, reply) =>
      csvOr(request, reply, 'coverage-gaps', () => ({ items: coverageGaps(app.db, request.query as Static<typeof CoverageGapsQuery>) })),
  });

  app.get('/api/v1/reports/suspect-transfers', {
    schema: {
      operationId: 'getSuspectTransfers',
      tags: TAGS,
      summary: 'Suspect transfers (SUS-1, SUS-2)',
      description: [
        'Transfers at approved or in_production, one row per reason, computed from the current data:',
        '- **SUS-1**: a fail of the technology or an ancestor on a completed run that ended after the last review',
        '  (`reviewed_at`, else `created_at`) or whose fail was recorded after it (a late import, an edited old run).',
        '- **SUS-2**: the name, domain, category or description of the technology or an ancestor changed after the last review.',
        '',
        'A review (`POST /api/v1/transfers/{id}/review`, or a change of stage) clears both (SUS-3).',
        '',
        'CSV (`?format=csv` or `Accept: text/csv`): the same rows and filters, one column per field.',
      ].join('\n'),
      querystring: withFormat(SuspectTransfersQuery),
      response: {
        200: jsonOrCsvResponse(ref(SuspectTransfersReport), 'The reasons, by transfer', `Columns: ${columnsOf(SuspectTransferRow).join(', ')}.`),
        ...errorResponses.read,
      },
    },
    handler: async (request, reply) =>
      csvOr(request, reply, 'suspect-transfers', () => ({ items: suspectTransfersReport(app.db, request.query as Static<typeof SuspectTransfersQuery>) })),
  });

  app.get('/api/v1/reports/lead-times', {
    schema: {
      operationId: 'getLeadTimes',
      tags: TAGS,
      summary: 'Race-to-road lead times (LT-1)',
      description: [
        "For each transfer in production: days from the first pass (completed run, earliest end) of its technology or an ancestor to the road model's launch date, and a summary per series of the origin program (count, min, median, max days).",
        '',
        'CSV (`?format=csv` or `Accept: text/csv`): one row per transfer, or the per-series summary with `table=per_series`.',
      ].join('\n'),
      querystring: LeadTimesQuery,
      response: {
        200: jsonOrCsvResponse(
          ref(LeadTimesReport),
          'Lead times per transfer and per series',
          `Columns per transfer: ${columnsOf(LeadTimeRow).join(', ')}; with table=per_series: ${columnsOf(LeadTimeSeries).join(', ')}.`,
        ),
        ...errorResponses.read,
      },
    },
    handler: async (request, reply) => csvOr(request, reply, 'lead-times', () => leadTimes(app.db)),
  });

  app.get('/api/v1/reports/lineup-plan', {
    schema: {
      operationId: 'getLineupPlan',
      tags: TAGS,
      summary: 'Line-up plan against its targets (PLAN-1)',
      description: [
        'Per plan target year: road models on sale (status not concept, launched or planned to launch by that year, not ended before it) against the model-count target; planned units of that year against the units target; the share of unit growth since the earliest plan year from markets other than JP against the band.',
        '',
        'CSV (`?format=csv` or `Accept: text/csv`): the same rows.',
      ].join('\n'),
      querystring: Type.Object({ format: FormatParam }),
      response: {
        200: jsonOrCsvResponse(ref(LineupPlanReport), 'One row per plan target year', `Columns: ${columnsOf(LineupPlanRow).join(', ')}.`),
        ...errorResponses.read,
      },
    },
    handler: async (request, reply) => csvOr(request, reply, 'lineup-plan', () => ({ items: lineupPlan(app.db) })),
  });
}
