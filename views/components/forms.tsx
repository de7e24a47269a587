// Form controls with their label, hint and error message tied together for screen readers.
// Every value is escaped (attributes by kita; children with `safe`).
import { escapeHtml, type PropsWithChildren } from '@kitajs/html';
import { minuteOf } from '../../src/domain/time.js';

/**
 * A user's text for an attribute value. Kita escapes only `"` in attributes, so `&amp;` typed by
 * a user would come back as `&` after a round trip through a form: escape it fully here.
 */
export function attrValue(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : escapeHtml(String(value));
}

export type FieldErrors = Record<string, string>;

export interface FieldProps {
  name: string;
  label: string;
  value?: string | number | null | undefined;
  errors?: FieldErrors;
  type?: string;
  required?: boolean;
  hint?: string;
  placeholder?: string;
  autocomplete?: string;
  autofocus?: boolean;
  list?: string;
  step?: string;
  min?: string | number;
  max?: string | number;
  maxlength?: number;
  pattern?: string;
  inputmode?: string;
  id?: string;
}

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

export function FieldMessages({ id, hint, error }: { id: string; hint?: string | undefined; error?: string | undefined }) {
  return (
    <>
      {hint ? (
        <small id={`${id}-hint`} safe>
          {hint}
        </small>
      ) : (
        ''
      )}
      {error ? (
        <small id={`${id}-error`} class="field-error" safe>
          {error}
        </small>
      ) : (
        ''
      )}
    </>
  );
}

export function Field(props: FieldProps & SuggestProps) {
  const id = props.id ?? `f-${props.name}`;
  const error = props.errors?.[props.name];
  const listId = props.suggestUrl ? `${id}-suggestions` : props.list;
  return (
    <label for={id}>
      <span safe>{props.label}</span>
      {props.required ? <span class="required" aria-hidden="true"> *</span> : ''}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={attrValue(props.value)}
        required={props.required}
        placeholder={props.placeholder}
        autocomplete={props.suggestUrl ? 'off' : props.autocomplete}
        autofocus={props.autofocus}
        list={listId}
        hx-get={props.suggestUrl}
        hx-trigger={props.suggestUrl ? 'input changed delay:150ms, focus once' : undefined}
        hx-target={props.suggestUrl ? `#${listId}` : undefined}
        hx-swap={props.suggestUrl ? 'innerHTML' : undefined}
        step={props.step}
        min={props.min === undefined ? undefined : String(props.min)}
        max={props.max === undefined ? undefined : String(props.max)}
        maxlength={props.maxlength === undefined ? undefined : String(props.maxlength)}
        pattern={props.pattern}
        inputmode={props.inputmode}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, error)}
      />
      {props.suggestUrl ? (
        <datalist id={listId}>
          <SuggestionOptions suggestions={props.suggestions ?? []} />
        </datalist>
      ) : (
        ''
      )}
      <FieldMessages id={id} hint={props.hint} error={error} />
    </label>
  );
}

/**
 * Suggestions make a field fit one of thousands of records (technologies, prototypes): too many for a <select>, so
 * the browser's own suggestion list is filled from `suggestUrl` as you type (and at the first
 * focus). The server resolves what was typed. Without JavaScript it is a text field.
 */
interface SuggestProps {
  suggestUrl?: string;
  /** What the suggestion list holds before any typing (the current value, say). */
  suggestions?: Suggestion[];
}

export interface Suggestion {
  value: string;
  /** Shown beside the value (a prototype's name beside its code). */
  label?: string | undefined;
}

/** The options of a suggestion list: what a suggesting Field's datalist holds, and what its URL answers. */
export function SuggestionOptions({ suggestions }: { suggestions: Suggestion[] }) {
  return (
    <>
      {suggestions.map((o) => (
        <option value={attrValue(o.value)} label={o.label ? attrValue(o.label) : undefined} />
      ))}
    </>
  );
}

export function TextArea(props: Omit<FieldProps, 'type'> & { rows?: number }) {
  const id = props.id ?? `f-${props.name}`;
  const error = props.errors?.[props.name];
  return (
    <label for={id}>
      <span safe>{props.label}</span>
      {props.required ? <span class="required" aria-hidden="true"> *</span> : ''}
      <textarea
        id={id}
        name={props.name}
        rows={String(props.rows ?? 3)}
        required={props.required}
        placeholder={props.placeholder}
        maxlength={props.maxlength === undefined ? undefined : String(props.maxlength)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, error)}
        safe
      >
        {props.value === null || props.value === undefined ? '' : String(props.value)}
      </textarea>
      <FieldMessages id={id} hint={props.hint} error={error} />
    </label>
  );
}

export interface Option {
  value: string;
  label: string;
}

function OptionTag({ option, selected }: { option: Option; selected: boolean }) {
  return (
    <option value={option.value} selected={selected} safe>
      {option.label}
    </option>
  );
}

// The <option>s of a long option list that pages share between requests, frozen to say so (the
// program picker of every run list is one array until the database changes), rendered once, and
// joined once: per request only the selected ones are rendered again.
const renderedOptions = new WeakMap<readonly Option[], { each: JSX.Element[]; all: JSX.Element[] }>();
const SHARED_OPTIONS_MIN = 50;

function renderOptions(options: readonly Option[], selected: Set<string>): JSX.Element[] {
  if (options.length < SHARED_OPTIONS_MIN || !Object.isFrozen(options)) return options.map((o) => <OptionTag option={o} selected={selected.has(o.value)} />);
  let rendered = renderedOptions.get(options);
  if (!rendered) {
    const each = options.map((o) => <OptionTag option={o} selected={false} />);
    renderedOptions.set(options, (rendered = { each, all: [<>{each}</>] }));
  }
  const { each, all } = rendered;
  return selected.size === 0 ? all : options.map((o, i) => (selected.has(o.value) ? <OptionTag option={o} selected /> : each[i]!));
}

export function Select(props: Omit<FieldProps, 'type'> & { options: readonly Option[]; blank?: string; multiple?: boolean; values?: string[] }) {
  const id = props.id ?? `f-${props.name}`;
  const error = props.errors?.[props.name];
  const selected = new Set(props.values ?? (props.value === null || props.value === undefined ? [] : [String(props.value)]));
  return (
    <label for={id}>
      <span safe>{props.label}</span>
      {props.required ? <span class="required" aria-hidden="true"> *</span> : ''}
      <select
        id={id}
        name={props.name}
        required={props.required}
        multiple={props.multiple ? "multiple" : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, error)}
      >
        {props.blank !== undefined ? (
          <option value="" safe>
            {props.blank}
          </option>
        ) : (
          ''
        )}
        {renderOptions(props.options, selected)}
      </select>
      <FieldMessages id={id} hint={props.hint} error={error} />
    </label>
  );
}

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A summary of all errors at the top of a form, linking to each field. */
export function ErrorSummary({ errors, general }: { errors: FieldErrors; general?: string | undefined }) {
  const entries = Object.entries(errors);
  if (entries.length === 0 && !general) return '';
  return (
    <div class="error-summary" role="alert" tabindex="-1" id="error-summary">
      <strong>Please correct the following:</strong>
      {general ? <p safe>{general}</p> : ''}
      {entries.length ? (
        <ul>
          {entries.map(([field, message]) => (
            <li>
              <a href={`#f-${field}`} safe>{`${field.replace(/_/g, ' ')}: ${message}`}</a>
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </div>
  );
}

export function FormActions(props: PropsWithChildren<{ submitLabel: string; cancelHref: string }>) {
  return (
    <div class="form-actions">
      <button type="submit" data-submit safe>
        {props.submitLabel}
      </button>
      <a href={props.cancelHref} role="button" class="secondary outline">
        Cancel
      </a>
      {props.children}
      <small class="shortcut-hint">Ctrl+Enter submits</small>
    </div>
  );
}

export interface StaleChange {
  field: string;
  from: unknown;
  to: unknown;
  by: string;
  at: string;
}

function shown(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** Shown over an edit form whose version went stale: what others changed meanwhile. */
export function StaleNotice({ changes }: { changes: StaleChange[] }) {
  return (
    <div class="error-summary" role="alert" tabindex="-1" id="error-summary">
      <strong>This record was changed by someone else while you were editing.</strong>
      {changes.length ? (
        <ul>
          {changes.map((c) => (
            <li safe>{`${c.field.replace(/_/g, ' ')}: ${shown(c.from)} → ${shown(c.to)} (by ${c.by}, ${minuteOf(c.at)})`}</li>
          ))}
        </ul>
      ) : (
        ''
      )}
      <p>Your input is kept below. Check it against these changes; saving again will apply your values over theirs.</p>
    </div>
  );
}
