// The reports of DESIGN §3 as read-only endpoints: coverage gaps, suspect transfers, lead times
// and the line-up plan. Each body holds flat rows with a stable column order.
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { coverageGaps, leadTimes, lineupPlan, suspectTransfersReport } from '../../../domain/reports.js';
import { ref } from '../../../schemas/common.js';
import {
  CoverageGapsQuery,
  CoverageGapsReport,
  LeadTimesReport,
  LineupPlanReport,
  SuspectTransfersQuery,
  SuspectTransfersReport,
} from '../../../schemas/reports.js';
import { errorResponses, jsonResponse } from './http.js';

const TAGS = ['Reports'];

export async function reportsRoutes(app: FastifyInstance) {
  app.get('/api/v1/reports/coverage-gaps', {
    schema: {
      operationId: 'getCoverageGaps',
      tags: TAGS,
      summary: 'Coverage gaps (GAP-1, GAP-2, GAP-3)',
      description: [
        '- **GAP-1**: a transfer at evaluation, approved or in_production whose technology and its ancestors have no pass on a completed run.',
        "- **GAP-2**: a transfer at approved or in_production whose technology's current race TRL (latest assessment) is below 6 or missing.",
        '- **GAP-3**: a road model in development or production without a transfer (rejected transfers do not count).',
      ].join('\n'),
      querystring: CoverageGapsQuery,
      response: { 200: jsonResponse(ref(CoverageGapsReport), 'The gaps, by rule, road model and technology'), ...errorResponses.read },
    },
    handler: async (request) => {
      const q = request.query as Static<typeof CoverageGapsQuery>;
      return { items: coverageGaps(app.db, q) };
    },
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
      ].join('\n'),
      querystring: SuspectTransfersQuery,
      response: { 200: jsonResponse(ref(SuspectTransfersReport), 'The reasons, by transfer'), ...errorResponses.read },
    },
    handler: async (request) => {
      const q = request.query as Static<typeof SuspectTransfersQuery>;
      return { items: suspectTransfersReport(app.db, q) };
    },
  });

  app.get('/api/v1/reports/lead-times', {
    schema: {
      operationId: 'getLeadTimes',
      tags: TAGS,
      summary: 'Race-to-road lead times (LT-1)',
      description:
        "For each transfer in production: days from the first pass (completed run, earliest end) of its technology or an ancestor to the road model's launch date, and a summary per series of the origin program (count, min, median, max days).",
      response: { 200: jsonResponse(ref(LeadTimesReport), 'Lead times per transfer and per series'), ...errorResponses.read },
    },
    handler: async () => leadTimes(app.db),
  });

  app.get('/api/v1/reports/lineup-plan', {
    schema: {
      operationId: 'getLineupPlan',
      tags: TAGS,
      summary: 'Line-up plan against its targets (PLAN-1)',
      description:
        'Per plan target year: road models on sale (status not concept, launched or planned to launch by that year, not ended before it) against the model-count target; planned units of that year against the units target; the share of unit growth since the earliest plan year from markets other than JP against the band.',
      response: { 200: jsonResponse(ref(LineupPlanReport), 'One row per plan target year'), ...errorResponses.read },
    },
    handler: async () => ({ items: lineupPlan(app.db) }),
  });
}
