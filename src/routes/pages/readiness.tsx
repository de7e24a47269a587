// Readiness and measurement-trend pages: a technology's TRL (current, chart, history, the form
// that records an assessment) at /technologies/:id/readiness, and a measurement's trend across
// runs at /technologies/:id/trend and /prototypes/:id/trend. The technology and prototype pages
// load these as htmx fragments; each is a whole page without JavaScript.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inArray } from 'drizzle-orm';
import { Type, type Static } from 'typebox';
import { prototypes, test_runs } from '../../../db/schema.js';
import type { Db } from '../../db.js';
import { RuleViolationError } from '../../domain/errors.js';
import { measurementNames, measurementTrend, type TrendScope } from '../../domain/measurement-trend.js';
import { canWrite } from '../../domain/permissions.js';
import { getPrototype } from '../../domain/prototypes.js';
import { createReadinessAssessment, currentReadiness, readinessHistory, type ReadinessInput } from '../../domain/readiness.js';
import { getTechnology, type Technology } from '../../domain/technologies.js';
import { listTestRuns } from '../../domain/test-runs.js';
import type { Role } from '../../domain/users.js';
import { nowIso } from '../../domain/time.js';
import { IdParams } from '../../schemas/common.js';
import { ReadinessAssessmentCreate } from '../../schemas/readiness.js';
import {
  ReadinessForm,
  ReadinessPage,
  ReadinessSection,
  type EvidenceRunChoice,
  type ReadinessFormValues,
  type ReadinessSectionProps,
} from '../../../views/pages/readiness/readiness-pages.js';
import { TrendPage, TrendSection, type TrendSectionProps } from '../../../views/pages/readiness/trend-pages.js';
import { domainErrorToForm, formToInput, validateInput, withoutEmpty, type FieldErrors, type FormBody } from './forms.js';
import { pageContext, renderPage, seeOther } from './render.js';

const TrendQuery = Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })) });

/** How many of the technology's completed runs the form offers as evidence. */
const RUN_CHOICES = 50;

function evidenceChoices(db: Db, technologyId: number): EvidenceRunChoice[] {
  const runs = listTestRuns(db, { technology_id: technologyId, status: 'completed', limit: RUN_CHOICES }).items;
  const protoIds = [...new Set(runs.map((r) => r.prototype_id))];
  const codes = new Map(
    protoIds.length
      ? db.orm.select({ id: prototypes.id, code: prototypes.code }).from(prototypes).where(inArray(prototypes.id, protoIds)).all().map((p) => [p.id, p.code])
      : [],
  );
  return runs.map((r) => ({
    id: r.id,
    code: r.code,
    title: r.title,
    start_time: r.start_time,
    venue_type: r.venue_type,
    prototype: codes.get(r.prototype_id) ?? `Prototype ${r.prototype_id}`,
    outcome: r.evidence.find((e) => e.technology_id === technologyId)?.outcome ?? null,
  }));
}

function runCodes(db: Db, ids: number[]): Map<number, string> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  return new Map(db.orm.select({ id: test_runs.id, code: test_runs.code }).from(test_runs).where(inArray(test_runs.id, unique)).all().map((r) => [r.id, r.code]));
}

function relevantVenues(db: Db, categoryId: number): string[] {
  const rows = db.sqlite.prepare(`SELECT venue_type FROM category_venue_types WHERE category_id = ? ORDER BY venue_type`).all(categoryId) as { venue_type: string }[];
  return rows.map((r) => r.venue_type);
}

function mayRecord(request: FastifyRequest): boolean {
  const role = request.auth?.user?.role;
  return role !== undefined && canWrite(role as Role, 'readiness');
}

/** The form's values as typed, so a refused form shows them again. */
function typedValues(body: FormBody): ReadinessFormValues {
  const text = (name: string) => {
    const v = body[name];
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  const runs = body.evidence_run_ids;
  return {
    target: text('target'),
    level: text('level'),
    assessed_on: text('assessed_on'),
    assessor: text('assessor'),
    rationale: text('rationale'),
    evidence_run_ids: (Array.isArray(runs) ? runs : runs === undefined ? [] : [runs]).filter((v) => v !== ''),
  };
}

/** A refusal as the form shows it: every message about the cited runs goes next to them, with the rule id. */
function refusalToForm(error: unknown): { errors: FieldErrors; general?: string | undefined } {
  const refused = domainErrorToForm(error);
  const errors: FieldErrors = {};
  const runMessages: string[] = [];
  for (const [field, message] of Object.entries(refused.errors)) {
    if (field === 'evidence_run_ids' || field.startsWith('evidence_run_ids.')) runMessages.push(message);
    else errors[field] = message;
  }
  const rule = error instanceof RuleViolationError ? error.rule : undefined;
  if (rule && runMessages.length === 0) runMessages.push(error instanceof RuleViolationError ? error.message : '');
  if (runMessages.length) errors.evidence_run_ids = `${rule ? `${rule}: ` : ''}${[...new Set(runMessages)].join('; ')}`;
  return { errors, general: rule ? undefined : refused.general };
}

function schemaErrorsToForm(errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    if (field.startsWith('evidence_run_ids.')) out.evidence_run_ids ??= `a chosen run ${message}`;
    else out[field] = message;
  }
  return out;
}

export async function readinessPages(app: FastifyInstance) {
  const today = () => nowIso().slice(0, 10);

  function sectionProps(
    request: FastifyRequest,
    technology: Technology,
    csrfToken: string,
    form: { values?: ReadinessFormValues; errors?: FieldErrors; general?: string | undefined; back: string },
  ): ReadinessSectionProps {
    const history = readinessHistory(app.db, technology.id);
    return {
      technology: { id: technology.id, name: technology.name },
      current: currentReadiness(app.db, technology.id),
      history,
      runCodes: runCodes(app.db, history.flatMap((a) => a.evidence_run_ids)),
      today: today(),
      formOpen: false,
      form: mayRecord(request)
        ? {
            technologyId: technology.id,
            csrfToken,
            values: form.values ?? { target: 'race', assessed_on: today(), assessor: request.actor.name, evidence_run_ids: [] },
            errors: form.errors ?? {},
            general: form.general,
            runs: evidenceChoices(app.db, technology.id),
            relevantVenues: relevantVenues(app.db, technology.category_id),
            back: form.back,
          }
        : undefined,
    };
  }

  function crumbs(t: Technology, last: string) {
    return [{ label: 'Technologies', href: '/technologies' }, { label: t.name, href: `/technologies/${t.id}` }, { label: last }];
  }

  app.get('/technologies/:id/readiness', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const technology = getTechnology(app.db, id);
    const ctx = pageContext(request, reply);
    // A partial is the section the technology page loads: the form goes back there.
    const embedded = request.isPartial;
    const props = sectionProps(request, technology, ctx.csrfToken, { back: embedded ? `/technologies/${id}` : `/technologies/${id}/readiness` });
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Readiness of ${technology.name}`, breadcrumbs: crumbs(technology, 'Readiness') },
      <ReadinessPage {...props} formOpen />,
      <ReadinessSection {...props} withTrend />,
    );
  });

  app.post('/technologies/:id/readiness', { schema: { params: IdParams, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const technology = getTechnology(app.db, id);
    const body = (request.body ?? {}) as FormBody;
    const backField = Array.isArray(body.back) ? body.back[0] : body.back;
    const back = backField === `/technologies/${id}` ? backField : `/technologies/${id}/readiness`;
    const values = typedValues(body);

    const refuse = (errors: FieldErrors, general?: string) => {
      const ctx = pageContext(request, reply);
      const props = sectionProps(request, technology, ctx.csrfToken, { values, errors, general, back });
      const form = props.form ? <ReadinessForm {...props.form} /> : '';
      return renderPage(
        request,
        reply,
        ctx,
        { title: `Readiness of ${technology.name}`, status: 422, breadcrumbs: crumbs(technology, 'Readiness') },
        <ReadinessPage {...props} formOpen />,
        form,
      );
    };

    const input = withoutEmpty(formToInput(ReadinessAssessmentCreate, body));
    const errors = validateInput(ReadinessAssessmentCreate, input);
    if (Object.keys(errors).length) return refuse(schemaErrorsToForm(errors));
    try {
      const created = createReadinessAssessment(app.db, request.actor, { ...(input as Omit<ReadinessInput, 'technology_id'>), technology_id: id });
      return seeOther(request, reply, back, `Recorded: ${created.target} TRL ${created.level} for ${technology.name}.`);
    } catch (error) {
      const refused = refusalToForm(error);
      return refuse(refused.errors, refused.general);
    }
  });

  function trendProps(scope: TrendScope, requested: string | undefined, base: Omit<TrendSectionProps, 'names' | 'trend' | 'missingName'>): TrendSectionProps {
    const names = measurementNames(app.db, scope);
    const found = requested !== undefined && names.some((n) => n.name === requested);
    // Without a choice, the measurement logged on the most runs.
    const fallback = names.reduce<(typeof names)[number] | undefined>((best, n) => (!best || n.runs > best.runs ? n : best), undefined);
    const chosen = found ? requested : fallback?.name;
    return {
      ...base,
      names,
      trend: chosen === undefined ? null : measurementTrend(app.db, scope, chosen),
      missingName: requested !== undefined && !found ? requested : undefined,
    };
  }

  function sendTrend(request: FastifyRequest, reply: FastifyReply, props: TrendSectionProps, breadcrumbs: { label: string; href?: string }[]) {
    const ctx = pageContext(request, reply);
    return renderPage(
      request,
      reply,
      ctx,
      { title: `Measurement trends of ${props.subjectName}`, breadcrumbs },
      <TrendPage {...props} />,
      <TrendSection {...props} />,
    );
  }

  app.get('/technologies/:id/trend', { schema: { params: IdParams, querystring: TrendQuery, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const { name } = request.query as Static<typeof TrendQuery>;
    const technology = getTechnology(app.db, id);
    const props = trendProps({ technology_id: id }, name, {
      basePath: `/technologies/${id}/trend`,
      subjectHref: `/technologies/${id}`,
      subject: 'technology',
      subjectName: technology.name,
    });
    return sendTrend(request, reply, props, crumbs(technology, 'Measurement trends'));
  });

  app.get('/prototypes/:id/trend', { schema: { params: IdParams, querystring: TrendQuery, hide: true } }, async (request, reply) => {
    const { id } = request.params as Static<typeof IdParams>;
    const { name } = request.query as Static<typeof TrendQuery>;
    const prototype = getPrototype(app.db, id);
    const props = trendProps({ prototype_id: id }, name, {
      basePath: `/prototypes/${id}/trend`,
      subjectHref: `/prototypes/${id}`,
      subject: 'prototype',
      subjectName: prototype.code,
    });
    return sendTrend(request, reply, props, [
      { label: 'Prototypes', href: '/prototypes' },
      { label: prototype.code, href: `/prototypes/${id}` },
      { label: 'Measurement trends' },
    ]);
  });
}
