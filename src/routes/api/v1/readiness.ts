// Readiness assessments: a technology's TRL history per target, created with the evidence runs it
// rests on (EVD-1 and the TRL rules refuse with 422 naming the rule), withdrawn with If-Match.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import {
  createReadinessAssessment,
  deleteReadinessAssessment,
  getReadinessAssessment,
  listReadinessAssessments,
} from '../../../domain/readiness.js';
import { IdParams, PageOf, ref } from '../../../schemas/common.js';
import { ReadinessAssessment, ReadinessAssessmentCreate, ReadinessListQuery } from '../../../schemas/readiness.js';
import { errorResponses, etagOf, jsonResponse, requireIfMatch, sendPage } from './http.js';

const TAGS = ['Readiness'];

const RULES_DESCRIPTION = [
  'Creates an assessment of the technology. The rules of DESIGN §3 are checked against the runs cited in',
  '`evidence_run_ids` (not against all evidence on file), and a refusal is a 422 naming the rule:',
  '',
  '- **EVD-1**: every cited run is completed, ended (`end_time`, else `start_time`) on or before `assessed_on`,',
  '  and has evidence for this technology; the error names `/evidence_run_ids/<i>`.',
  '- Race target, each level needs every lower rule too (the first failing rule is named):',
  '  **TRL-5** (level ≥ 5) a pass in any venue; **TRL-6** (≥ 6) a pass in a venue type relevant for the',
  "  technology's category; **TRL-7** (≥ 7) a pass on a track or race event with a prototype of kind `race_car`;",
  '  **TRL-8** (≥ 8) passes at 3 or more race-event runs; **TRL-9** (9) passes at race events in 2 or more',
  "  seasons (the run's program season, else its start year).",
  "- Road target: **TRL-R6** (level 5–6) a pass in any venue, and for 6 a pass in a venue relevant for the category,",
  '  on a race car at a track or race event, or on a road prototype (race evidence may carry a road TRL up to 6);',
  '  **TRL-R7** (≥ 7) in addition a pass on a `road_prototype` whose road model the technology is transferred to',
  '  (a transfer at any stage but rejected).',
  '',
  'Levels 1–4 need no evidence. `assessor` defaults to the caller.',
].join('\n');

export async function readinessRoutes(app: FastifyInstance) {
  app.get('/api/v1/technologies/:id/readiness', {
    schema: {
      operationId: 'listReadinessAssessments',
      tags: TAGS,
      summary: "List a technology's readiness assessments",
      description:
        'The history of assessments, newest first by default. The current level per target is the latest assessment (by `assessed_on`, then `id`). Filter by `target`.',
      params: IdParams,
      querystring: ReadinessListQuery,
      response: {
        200: jsonResponse(PageOf(ref(ReadinessAssessment)), 'A page of readiness assessments', ['link']),
        ...errorResponses.item,
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      return sendPage(request, reply, listReadinessAssessments(app.db, id, request.query as Static<typeof ReadinessListQuery>));
    },
  });

  app.post('/api/v1/technologies/:id/readiness', {
    schema: {
      operationId: 'createReadinessAssessment',
      tags: TAGS,
      summary: 'Assess the readiness of a technology',
      description: RULES_DESCRIPTION,
      params: IdParams,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 200 })) }),
      body: ReadinessAssessmentCreate,
      response: {
        201: jsonResponse(ref(ReadinessAssessment), 'The created assessment', ['etag', 'location']),
        ...errorResponses.create,
        404: errorResponses.item[404],
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      const body = request.body as Static<typeof ReadinessAssessmentCreate>;
      const item = createReadinessAssessment(app.db, request.actor, { ...body, technology_id: id });
      reply.code(201).header('location', `/api/v1/readiness-assessments/${item.id}`).header('etag', etagOf(item.version));
      return item;
    },
  });

  app.get('/api/v1/readiness-assessments/:id', {
    schema: {
      operationId: 'getReadinessAssessment',
      tags: TAGS,
      summary: 'Get a readiness assessment',
      params: IdParams,
      response: { 200: jsonResponse(ref(ReadinessAssessment), 'The assessment', ['etag']), ...errorResponses.item },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      const item = getReadinessAssessment(app.db, id);
      reply.header('etag', etagOf(item.version));
      return item;
    },
  });

  app.delete('/api/v1/readiness-assessments/:id', {
    schema: {
      operationId: 'deleteReadinessAssessment',
      tags: TAGS,
      summary: 'Withdraw a readiness assessment',
      description:
        'Assessments are history and cannot be edited; a wrong one is withdrawn (audited) and a new one created. The current level falls back to the previous assessment. Needs If-Match.',
      params: IdParams,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 100 })) }),
      response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses.remove },
    },
    handler: async (request, reply) => {
      const { id } = request.params as Static<typeof IdParams>;
      const expected = requireIfMatch(request);
      deleteReadinessAssessment(app.db, request.actor, id, expected);
      return reply.code(204).send();
    },
  });
}
