// /admin/webhooks: the registered hooks, a form to add one (its secret shown once), deactivate and
// delete, and the outbox: each delivery with its status, attempts, last answer and next attempt.
import { WEBHOOK_EVENTS } from '../../../db/schema.js';
import type { Delivery, DeliveryStatus, Webhook, WebhookWithSecret } from '../../../src/domain/webhooks.js';
import { Badge, TimeCell } from '../../components/common.js';
import { CsrfField, ErrorSummary, Field, TextArea, type FieldErrors } from '../../components/forms.js';
import { AdminFrame } from '../admin/admin-index.js';

export const EVENT_HELP: Record<(typeof WEBHOOK_EVENTS)[number], string> = {
  'test_run.created': 'a test run is logged',
  'test_run.updated': 'a test run is changed',
  'transfer.suspect': 'a transfer becomes suspect',
  'readiness.changed': "a technology's current TRL changes",
  'import.finished': 'an import job finishes',
};

export interface WebhookFormValues {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | undefined;
}

export function WebhookForm(props: { csrfToken: string; values: WebhookFormValues; errors: FieldErrors; general?: string | undefined }) {
  const chosen = new Set(props.values.events ?? []);
  const eventsError = props.errors.events ?? Object.entries(props.errors).find(([k]) => k.startsWith('events.'))?.[1];
  return (
    <form method="post" action="/admin/webhooks" id="webhook-form">
      <ErrorSummary errors={props.errors} general={props.general} />
      <CsrfField token={props.csrfToken} />
      <Field
        name="url"
        label="Receiver URL"
        type="url"
        required
        value={props.values.url}
        errors={props.errors}
        maxlength={2000}
        placeholder="https://plm.example.com/hooks/pitlane"
        hint="http or https. Private, loopback and link-local addresses are refused unless the server allows them."
      />
      <fieldset id="f-events" aria-invalid={eventsError ? 'true' : undefined} aria-describedby={eventsError ? 'f-events-error' : undefined}>
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((e) => (
          <label>
            <input type="checkbox" name="events" value={e} checked={chosen.has(e)} />
            <code>{e}</code>
            <small safe>{` — when ${EVENT_HELP[e]}`}</small>
          </label>
        ))}
        {eventsError ? (
          <small id="f-events-error" class="field-error" safe>
            {eventsError}
          </small>
        ) : (
          ''
        )}
      </fieldset>
      <TextArea name="description" label="Description" value={props.values.description} errors={props.errors} maxlength={2000} rows={2} />
      <div class="form-actions">
        <button type="submit">Add webhook</button>
      </div>
    </form>
  );
}

export function SecretNotice({ hook }: { hook: WebhookWithSecret }) {
  return (
    <article class="secret-notice" role="status">
      <header>
        <strong safe>{`Webhook added for ${hook.url}`}</strong>
      </header>
      <p>Copy its signing secret now: it is shown only this once. Receivers check each delivery's Pitlane-Signature with it.</p>
      <p>
        <code safe>{hook.secret}</code>
      </p>
    </article>
  );
}

function ActiveToggle({ hook, csrfToken }: { hook: Webhook; csrfToken: string }) {
  return (
    <form method="post" action={`/admin/webhooks/${hook.id}/active`} class="inline-form">
      <CsrfField token={csrfToken} />
      <input type="hidden" name="version" value={String(hook.version)} />
      <input type="hidden" name="active" value={hook.active ? 'false' : 'true'} />
      <button type="submit" class="secondary outline">
        {hook.active ? 'Deactivate' : 'Activate'}
      </button>
    </form>
  );
}

export function WebhooksTable({ hooks, csrfToken }: { hooks: Webhook[]; csrfToken: string }) {
  if (hooks.length === 0) return <p class="empty-state">No webhooks yet. Add one below to notify another system of changes.</p>;
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden">Registered webhooks</caption>
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Events</th>
            <th scope="col">Status</th>
            <th scope="col">Description</th>
            <th scope="col">Added</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {hooks.map((h) => (
            <tr>
              <td>
                <a href={`/admin/webhooks/${h.id}`} safe>
                  {h.url}
                </a>
              </td>
              <td safe>{h.events.join(', ')}</td>
              <td>
                <Badge value={h.active ? 'active' : 'inactive'} />
              </td>
              <td safe>{h.description || '—'}</td>
              <td>
                <TimeCell iso={h.created_at} />
              </td>
              <td>
                <div class="form-actions">
                  <ActiveToggle hook={h} csrfToken={csrfToken} />
                  <a href={`/admin/webhooks/${h.id}/delete`} role="button" class="secondary outline">
                    Delete
                  </a>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DeliveriesTable(props: { deliveries: Delivery[]; hookUrls?: Map<number, string>; csrfToken: string; caption: string }) {
  if (props.deliveries.length === 0) return <p class="empty-state">No deliveries yet.</p>;
  return (
    <div class="table-scroll">
      <table class="striped">
        <caption class="visually-hidden" safe>
          {props.caption}
        </caption>
        <thead>
          <tr>
            <th scope="col" class="numeric">
              Id
            </th>
            {props.hookUrls ? <th scope="col">Webhook</th> : ''}
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col" class="numeric">
              Attempts
            </th>
            <th scope="col">Last answer</th>
            <th scope="col">Next attempt</th>
            <th scope="col">Queued</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((d) => (
            <tr>
              <td class="numeric">{d.id}</td>
              {props.hookUrls ? (
                <td>
                  <a href={`/admin/webhooks/${d.webhook_id}`} safe>
                    {props.hookUrls.get(d.webhook_id) ?? `Webhook ${d.webhook_id}`}
                  </a>
                </td>
              ) : (
                ''
              )}
              <td>
                <code>{d.event}</code>
              </td>
              <td>
                <Badge value={deliveryBadge(d.status)} label={d.status} />
              </td>
              <td class="numeric">{d.attempts}</td>
              <td safe>{lastAnswer(d)}</td>
              <td>{d.status === 'pending' ? <TimeCell iso={d.next_attempt_at} /> : <span>—</span>}</td>
              <td>
                <TimeCell iso={d.created_at} />
              </td>
              <td>
                {d.status === 'delivered' ? (
                  <span>—</span>
                ) : (
                  <form method="post" action={`/admin/webhooks/${d.webhook_id}/deliveries/${d.id}/retry`} class="inline-form">
                    <CsrfField token={props.csrfToken} />
                    <button type="submit" class="secondary outline">
                      Retry now
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function deliveryBadge(status: DeliveryStatus): string {
  return status === 'delivered' ? 'completed' : status === 'failed' ? 'fail' : 'running';
}

function lastAnswer(d: Delivery): string {
  if (d.attempts === 0) return 'not tried yet';
  if (d.status === 'delivered') return `HTTP ${d.last_status ?? '?'}`;
  return d.last_error || (d.last_status === null ? 'no answer' : `HTTP ${d.last_status}`);
}

export interface WebhooksPageProps {
  hooks: Webhook[];
  deliveries: Delivery[];
  counts: Record<DeliveryStatus, number>;
  csrfToken: string;
  form: { values: WebhookFormValues; errors: FieldErrors; general?: string | undefined };
  created?: WebhookWithSecret | undefined;
}

export function WebhooksPage(props: WebhooksPageProps) {
  const hookUrls = new Map(props.hooks.map((h) => [h.id, h.url]));
  const created = props.created;
  return (
    <AdminFrame title="Webhooks" subtitle="Notify other systems of changes, signed, with retries" current="/admin/webhooks">
      {created ? <SecretNotice hook={created} /> : ''}
      <section aria-labelledby="hooks-heading">
        <h2 id="hooks-heading">Registered webhooks</h2>
        <WebhooksTable hooks={props.hooks} csrfToken={props.csrfToken} />
      </section>
      <section aria-labelledby="add-heading">
        <h2 id="add-heading">Add a webhook</h2>
        <WebhookForm csrfToken={props.csrfToken} values={props.form.values} errors={props.form.errors} general={props.form.general} />
      </section>
      <section aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Recent deliveries</h2>
        <p safe>{`${props.counts.pending} pending · ${props.counts.delivered} delivered · ${props.counts.failed} failed`}</p>
        <DeliveriesTable deliveries={props.deliveries} hookUrls={hookUrls} csrfToken={props.csrfToken} caption="Recent deliveries of all webhooks" />
      </section>
    </AdminFrame>
  );
}

export function WebhookDetailPage(props: { hook: Webhook; deliveries: Delivery[]; nextCursor: string | null; csrfToken: string }) {
  const h = props.hook;
  return (
    <AdminFrame title="Webhook" subtitle={h.url} current="/admin/webhooks">
      <dl class="facts">
        <dt>URL</dt>
        <dd safe>{h.url}</dd>
        <dt>Events</dt>
        <dd safe>{h.events.join(', ')}</dd>
        <dt>Status</dt>
        <dd>
          <Badge value={h.active ? 'active' : 'inactive'} />
        </dd>
        <dt>Description</dt>
        <dd safe>{h.description || '—'}</dd>
        <dt>History</dt>
        <dd>
          <a href={`/audit?entity=webhook&entity_id=${h.id}`}>Who changed what</a>
        </dd>
      </dl>
      <div class="form-actions">
        <ActiveToggle hook={h} csrfToken={props.csrfToken} />
        <a href={`/admin/webhooks/${h.id}/delete`} role="button" class="secondary outline">
          Delete
        </a>
        <a href="/admin/webhooks" role="button" class="secondary outline">
          All webhooks
        </a>
      </div>
      <section aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Deliveries</h2>
        <DeliveriesTable deliveries={props.deliveries} csrfToken={props.csrfToken} caption="Deliveries of this webhook, newest first" />
        {props.nextCursor ? (
          <p>
            <a href={`/admin/webhooks/${h.id}?cursor=${encodeURIComponent(props.nextCursor)}`}>Older deliveries</a>
          </p>
        ) : (
          ''
        )}
      </section>
    </AdminFrame>
  );
}

export function DeleteWebhookConfirm(props: { hook: Webhook; csrfToken: string }) {
  const h = props.hook;
  return (
    <article>
      <header>
        <strong safe>{`Delete the webhook for ${h.url}?`}</strong>
      </header>
      <p>Its deliveries, pending ones included, are deleted with it. To pause it instead, deactivate it.</p>
      <form method="post" action={`/admin/webhooks/${h.id}/delete`}>
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="version" value={String(h.version)} />
        <div class="form-actions">
          <button type="submit" class="danger">
            Delete
          </button>
          <a href="/admin/webhooks" role="button" class="secondary outline">
            Cancel
          </a>
        </div>
      </form>
    </article>
  );
}
