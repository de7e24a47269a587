// A technology's readiness: the current TRL per target, its history as a step chart and a table,
// and the form that records an assessment with the runs it rests on (EVD-1 and the TRL rules are
// the domain's; a refusal shows its rule id next to the evidence runs).
import { READINESS_TARGETS } from '../../../db/schema.js';
import type { ReadinessAssessment } from '../../../src/domain/readiness.js';
import { TrlStepChart, type TrlSeries } from '../../components/charts.js';
import { Badge, humanize, PageHead } from '../../components/common.js';
import { attrValue, CsrfField, ErrorSummary, Field, FieldMessages, Select, TextArea, type FieldErrors, type Option } from '../../components/forms.js';

/** What TRL 1–9 mean (the usual scale), for the level select and the chart's tooltips. */
export const TRL_MEANINGS: Record<number, string> = {
  1: 'basic principles observed',
  2: 'technology concept formulated',
  3: 'experimental proof of concept',
  4: 'technology validated in the lab',
  5: 'technology validated in a relevant environment',
  6: 'technology demonstrated in a relevant environment',
  7: 'prototype demonstrated in an operational environment',
  8: 'system complete and qualified',
  9: 'actual system proven in an operational environment',
};

const LEVEL_OPTIONS: Option[] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((l) => ({ value: String(l), label: `${l} — ${TRL_MEANINGS[l]}` }));
const TARGET_OPTIONS: Option[] = READINESS_TARGETS.map((t) => ({ value: t, label: humanize(t) }));

/** A completed run of the technology that an assessment may cite. */
export interface EvidenceRunChoice {
  id: number;
  code: string;
  title: string;
  start_time: string;
  venue_type: string;
  prototype: string;
  outcome: string | null;
}

export interface ReadinessFormValues {
  target?: string | undefined;
  level?: string | undefined;
  assessed_on?: string | undefined;
  assessor?: string | undefined;
  rationale?: string | undefined;
  evidence_run_ids?: string[] | undefined;
}

export interface ReadinessFormProps {
  technologyId: number;
  csrfToken: string;
  values: ReadinessFormValues;
  errors: FieldErrors;
  general?: string | undefined;
  runs: EvidenceRunChoice[];
  /** Venue types that count as a relevant environment for the technology's category (TRL-6). */
  relevantVenues: string[];
  /** Where a recorded assessment goes back to. */
  back: string;
}

export interface ReadinessSectionProps {
  technology: { id: number; name: string };
  current: { race: ReadinessAssessment | null; road: ReadinessAssessment | null };
  /** Newest first. */
  history: ReadinessAssessment[];
  /** Codes of the runs the history cites. */
  runCodes: Map<number, string>;
  /** Today (YYYY-MM-DD): the current levels hold until then on the chart. */
  today: string;
  /** The form, when the signed-in user may record assessments. */
  form?: ReadinessFormProps | undefined;
  /** Open the form (the stand-alone page, or a refused form). */
  formOpen: boolean;
  /** On the technology page the trend section loads after this one. */
  withTrend?: boolean;
}

function CurrentLevel({ label, a }: { label: string; a: ReadinessAssessment | null }) {
  if (!a) {
    return (
      <div class="trl-current-item not-assessed">
        <span class="trl-target" safe>
          {label}
        </span>
        <strong class="trl-level">—</strong>
        <small>not assessed</small>
      </div>
    );
  }
  return (
    <div class="trl-current-item">
      <span class="trl-target" safe>
        {label}
      </span>
      <strong class="trl-level">
        <span class="visually-hidden">TRL </span>
        {a.level}
      </strong>
      <small safe>{`${TRL_MEANINGS[a.level] ?? ''}`}</small>
      <small safe>{`since ${a.assessed_on}, by ${a.assessor}`}</small>
    </div>
  );
}

function seriesOf(history: ReadinessAssessment[]): TrlSeries[] {
  const oldestFirst = [...history].reverse();
  return READINESS_TARGETS.map((target) => ({
    key: target,
    label: `${humanize(target)} TRL`,
    steps: oldestFirst
      .filter((a) => a.target === target)
      .map((a) => ({ date: a.assessed_on, level: a.level, note: `${a.assessor}${a.rationale ? `: ${a.rationale.slice(0, 120)}` : ''}` })),
  }));
}

/** Shown before the rest of a long list of cited runs folds away. */
const RUNS_SHOWN = 6;

function RunLinks({ ids, codes }: { ids: number[]; codes: Map<number, string> }) {
  if (ids.length === 0) return <span>—</span>;
  const link = (id: number) => (
    <li>
      <a href={`/test-runs/${id}`} safe>
        {codes.get(id) ?? `Run ${id}`}
      </a>
    </li>
  );
  if (ids.length <= RUNS_SHOWN + 2) return <ul class="inline-list">{ids.map(link)}</ul>;
  const rest = ids.length - RUNS_SHOWN;
  return (
    <>
      <ul class="inline-list">{ids.slice(0, RUNS_SHOWN).map(link)}</ul>
      <details class="more-runs">
        <summary>
          {rest} more {rest === 1 ? 'run' : 'runs'}
        </summary>
        <ul class="inline-list">{ids.slice(RUNS_SHOWN).map(link)}</ul>
      </details>
    </>
  );
}

function HistoryTable({ history, codes }: { history: ReadinessAssessment[]; codes: Map<number, string> }) {
  return (
    <div class="table-scroll">
      <table class="striped readiness-history">
        <caption class="visually-hidden">Readiness assessments, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Target</th>
            <th scope="col" class="numeric">
              TRL
            </th>
            <th scope="col">Assessor</th>
            <th scope="col">Rationale</th>
            <th scope="col">Evidence runs</th>
          </tr>
        </thead>
        <tbody>
          {history.map((a) => (
            <tr>
              <td class="nowrap">
                <time datetime={a.assessed_on} safe>
                  {a.assessed_on}
                </time>
              </td>
              <td>
                <Badge value={a.target} />
              </td>
              <td class="numeric">{a.level}</td>
              <td safe>{a.assessor}</td>
              <td class="prose" safe>
                {a.rationale || '—'}
              </td>
              <td>
                <RunLinks ids={a.evidence_run_ids} codes={codes} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The current levels, the chart, the history and (for engineers and admins) the form. */
export function ReadinessSection(props: ReadinessSectionProps) {
  const t = props.technology;
  const form = props.form;
  return (
    <>
      <section id="readiness" class="readiness" aria-labelledby="readiness-heading">
        <h2 id="readiness-heading">Readiness (TRL)</h2>
        <div class="trl-current" aria-label="Current readiness">
          <CurrentLevel label="Race" a={props.current.race} />
          <CurrentLevel label="Road" a={props.current.road} />
        </div>
        {props.history.length === 0 ? (
          <p class="empty-state">
            {form
              ? 'No readiness assessment yet. Record the first one below, citing the completed runs it rests on.'
              : 'No readiness assessment yet. Engineers record them, citing the completed runs they rest on.'}
          </p>
        ) : (
          <>
            <figure class="chart-figure">
              <TrlStepChart title={`Readiness of ${t.name} over time`} series={seriesOf(props.history)} until={props.today} />
            </figure>
            <h3>History</h3>
            <HistoryTable history={props.history} codes={props.runCodes} />
          </>
        )}
        {form ? (
          <details class="record-assessment" open={props.formOpen}>
            <summary>Record an assessment</summary>
            <ReadinessForm {...form} />
          </details>
        ) : (
          <p>
            <small>Engineers and admins record readiness assessments.</small>
          </p>
        )}
        {props.withTrend ? (
          <p>
            <small>
              <a href={`/technologies/${t.id}/readiness`}>Open the readiness page</a>
            </small>
          </p>
        ) : (
          ''
        )}
      </section>
      {props.withTrend ? (
        <div id="trend" hx-get={`/technologies/${t.id}/trend`} hx-trigger="load" hx-swap="outerHTML">
          <p>
            <a href={`/technologies/${t.id}/trend`}>Measurement trends of this technology</a>
          </p>
        </div>
      ) : (
        ''
      )}
    </>
  );
}

/** The stand-alone page: /technologies/:id/readiness. */
export function ReadinessPage(props: ReadinessSectionProps) {
  const t = props.technology;
  return (
    <>
      <PageHead title={`Readiness of ${t.name}`} subtitle="Technology readiness level (TRL) per target, with the runs it rests on">
        <a href={`/technologies/${t.id}`} role="button" class="secondary outline">
          Back to the technology
        </a>
        <a href={`/technologies/${t.id}/trend`} role="button" class="secondary outline">
          Measurement trends
        </a>
      </PageHead>
      <ReadinessSection {...props} />
    </>
  );
}

function rulesHint(relevant: string[]): string {
  const venues = relevant.length ? relevant.map(humanize).join(', ') : 'none listed for its category';
  return (
    `Only completed runs that ended on or before the date count (EVD-1). ` +
    `Race: TRL 5 needs a pass; 6 a pass in a relevant environment (${venues}); 7 a pass with a race car on a track or at a race event; ` +
    `8 passes at 3 race events; 9 race events in 2 seasons. Road: up to 6 race passes count; 7 and up need a pass on a road prototype ` +
    `of a road model it is transferred to.`
  );
}

function EvidenceRunsField({ runs, selected, error, hint }: { runs: EvidenceRunChoice[]; selected: Set<string>; error?: string | undefined; hint: string }) {
  return (
    <fieldset
      id="f-evidence_run_ids"
      class="evidence-choices"
      tabindex="-1"
      aria-invalid={error ? 'true' : undefined}
      aria-describedby={error ? 'f-evidence_run_ids-hint f-evidence_run_ids-error' : 'f-evidence_run_ids-hint'}
    >
      <legend>Evidence runs</legend>
      <FieldMessages id="f-evidence_run_ids" hint={hint} error={error} />
      {runs.length === 0 ? (
        <p class="empty-state">No completed run has exercised this technology yet: levels 1–4 need none.</p>
      ) : (
        <div class="evidence-choice-list">
          {runs.map((r) => (
            <label for={`f-evidence_run_ids-${r.id}`} class="evidence-choice">
              <input type="checkbox" id={`f-evidence_run_ids-${r.id}`} name="evidence_run_ids" value={String(r.id)} checked={selected.has(String(r.id))} />
              <span class="run-code" safe>
                {r.code}
              </span>{' '}
              {r.outcome ? <Badge value={r.outcome} /> : ''}{' '}
              <small safe>{`${r.start_time.slice(0, 10)} · ${humanize(r.venue_type)} · ${r.prototype} · ${r.title}`}</small>
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}

export function ReadinessForm(props: ReadinessFormProps) {
  const v = props.values;
  const action = `/technologies/${props.technologyId}/readiness`;
  const { evidence_run_ids: evidenceError, ...otherErrors } = props.errors;
  return (
    <form method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" class="readiness-form" novalidate>
      <ErrorSummary errors={props.errors} general={props.general} />
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="back" value={attrValue(props.back)} />
      <div class="grid-2 readiness-fields">
        <Select name="target" label="Target" value={v.target ?? 'race'} options={TARGET_OPTIONS} errors={otherErrors} required />
        <Select name="level" label="Level (TRL)" value={v.level} options={LEVEL_OPTIONS} blank="Choose a level" errors={otherErrors} required />
        <Field name="assessed_on" label="Date" type="date" value={v.assessed_on} errors={otherErrors} required />
        <Field name="assessor" label="Assessor" value={v.assessor} errors={otherErrors} maxlength={100} autocomplete="off" hint="Defaults to you." />
      </div>
      <TextArea name="rationale" label="Rationale" value={v.rationale} errors={otherErrors} maxlength={10000} rows={3} placeholder="What the runs show, and what is still open" />
      <EvidenceRunsField runs={props.runs} selected={new Set(v.evidence_run_ids ?? [])} error={evidenceError} hint={rulesHint(props.relevantVenues)} />
      <div class="form-actions">
        <button type="submit" data-submit>
          Record assessment
        </button>
        <small class="shortcut-hint">Ctrl+Enter submits</small>
      </div>
    </form>
  );
}
