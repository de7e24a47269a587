// The signed-in user's own page: who they are, their API tokens (a new secret shown once), and
// their password.
import { tokenState, type ApiToken } from '../../../src/domain/tokens.js';
import type { PublicUser } from '../../../src/domain/users.js';
import { Badge, humanize, PageHead, TimeCell } from '../../components/common.js';
import { attrValue, CsrfField, ErrorSummary, Field, Select, type FieldErrors } from '../../components/forms.js';

export const TOKEN_DAYS_DEFAULT = 90;

export interface TokenFormValues {
  name?: string | undefined;
  scopes?: string | undefined;
  expires_in_days?: string | undefined;
  no_expiry?: boolean | undefined;
}

export interface TokensSectionProps {
  csrfToken: string;
  tokens: ApiToken[];
  /** The scopes this user's role may create. */
  scopes: string[];
  values: TokenFormValues;
  errors: FieldErrors;
  general?: string | undefined;
  /** A token created just now, with its secret (this answer is the only time it is shown). */
  created?: { token: ApiToken; secret: string } | undefined;
}

function NewTokenNotice({ token, secret }: { token: ApiToken; secret: string }) {
  return (
    <article class="new-token" role="status" aria-labelledby="new-token-title">
      <header>
        <strong id="new-token-title" safe>{`New token “${token.name}” (${token.scopes})`}</strong>
      </header>
      <label for="new-token-secret">
        Copy it now: select the field and press Ctrl+C (⌘C). It is shown only this once.
        <input id="new-token-secret" type="text" readonly value={secret} autofocus spellcheck="false" autocomplete="off" />
      </label>
      <p>
        <strong>Keep it secret.</strong> Anyone with this token acts as you through the API. Pitlane stores only a hash: if
        you lose it, revoke it and create another. Send it as <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
    </article>
  );
}

function TokenRow({ t }: { t: ApiToken }) {
  const state = tokenState(t);
  return (
    <tr>
      <td safe>{t.name}</td>
      <td>
        <code safe>{`pl_${t.prefix}_…`}</code>
      </td>
      <td safe>{t.scopes}</td>
      <td>
        <TimeCell iso={t.created_at} />
      </td>
      <td>{t.expires_at ? <TimeCell iso={t.expires_at} /> : 'never'}</td>
      <td>{t.last_used_at ? <TimeCell iso={t.last_used_at} /> : 'never'}</td>
      <td>
        <Badge value={state} />
        {state === 'revoked' ? (
          <>
            {' '}
            <TimeCell iso={t.revoked_at} />
          </>
        ) : (
          ''
        )}
      </td>
      <td>
        {state === 'revoked' ? (
          ''
        ) : (
          <a href={`/account/tokens/${t.id}/revoke`} aria-label={attrValue(`Revoke token ${t.name}`)}>
            Revoke…
          </a>
        )}
      </td>
    </tr>
  );
}

/** The tokens list and the create form; also the fragment htmx swaps after a create. */
export function TokensSection(props: TokensSectionProps) {
  const v = props.values;
  const created = props.created;
  return (
    <section id="tokens" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p>
        Integrations use a token instead of your password. A token acts as you and can never do more than your role allows;
        a <code>read</code> token only reads.
      </p>
      {created ? <NewTokenNotice token={created.token} secret={created.secret} /> : ''}
      {props.tokens.length === 0 ? (
        <p class="empty-state">You have no API tokens yet.</p>
      ) : (
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">Your API tokens</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.tokens.map((t) => (
                <TokenRow t={t} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form method="post" action="/account/tokens" hx-post="/account/tokens" hx-target="#tokens" hx-swap="outerHTML" novalidate>
        <h3>Create a token</h3>
        <ErrorSummary errors={props.errors} general={props.general} />
        <CsrfField token={props.csrfToken} />
        <div class="grid-2">
          <Field name="name" label="Name" value={v.name} errors={props.errors} required maxlength={100} hint="What uses it, e.g. “Lab sync (bench 3)”." />
          <Select
            name="scopes"
            label="Scopes"
            value={v.scopes ?? 'read'}
            errors={props.errors}
            options={props.scopes.map((s) => ({ value: s, label: s === 'read' ? 'read (read only)' : 'read,write (read and change data)' }))}
            hint={props.scopes.includes('read,write') ? undefined : 'Your role reads only, so your tokens do too.'}
          />
          <Field
            name="expires_in_days"
            label="Expires after (days)"
            type="number"
            min={1}
            max={366}
            value={v.expires_in_days ?? String(TOKEN_DAYS_DEFAULT)}
            errors={props.errors}
            hint="1 to 366 days."
          />
          <label for="f-no_expiry">
            <input id="f-no_expiry" type="checkbox" name="no_expiry" value="1" checked={v.no_expiry === true} />
            Never expires
          </label>
        </div>
        <div class="form-actions">
          <button type="submit" data-submit>
            Create token
          </button>
        </div>
      </form>
    </section>
  );
}

export interface PasswordFormProps {
  csrfToken: string;
  errors: FieldErrors;
  general?: string | undefined;
  username: string;
}

/** Change your own password. Typed passwords are never sent back. */
export function PasswordForm(props: PasswordFormProps) {
  return (
    <form id="password-form" method="post" action="/account/password" hx-post="/account/password" hx-target="this" hx-swap="outerHTML" novalidate>
      <h2>Change password</h2>
      <p>Every session of yours ends, here and on other devices: you sign in again with the new password.</p>
      <ErrorSummary errors={props.errors} general={props.general} />
      <CsrfField token={props.csrfToken} />
      {/* Lets password managers tie the new password to the account. */}
      <input type="hidden" name="username" value={props.username} autocomplete="username" />
      <Field name="current_password" label="Current password" type="password" autocomplete="current-password" errors={props.errors} required />
      <div class="grid-2">
        <Field
          name="new_password"
          label="New password"
          type="password"
          autocomplete="new-password"
          errors={props.errors}
          required
          hint="8 to 128 characters; not a common password, not your username."
        />
        <Field name="confirm_password" label="New password again" type="password" autocomplete="new-password" errors={props.errors} required />
      </div>
      <div class="form-actions">
        <button type="submit" data-submit>
          Change password
        </button>
      </div>
    </form>
  );
}

export interface AccountPageProps {
  user: PublicUser;
  tokens: TokensSectionProps;
  password: PasswordFormProps;
}

export function AccountPage(props: AccountPageProps) {
  const u = props.user;
  return (
    <>
      <PageHead title="Your account" subtitle={u.display_name}>
        {u.role === 'admin' ? (
          <a href="/admin" role="button" class="secondary">
            Administration
          </a>
        ) : (
          ''
        )}
      </PageHead>
      <dl class="facts">
        <dt>Username</dt>
        <dd safe>{u.username}</dd>
        <dt>Display name</dt>
        <dd safe>{u.display_name}</dd>
        <dt>Role</dt>
        <dd>
          <Badge value={u.role} label={humanize(u.role)} />
        </dd>
        <dt>History</dt>
        <dd>
          <a href={`/audit?entity=user&entity_id=${u.id}`}>Changes to your account</a>
        </dd>
      </dl>
      <TokensSection {...props.tokens} />
      <PasswordForm {...props.password} />
    </>
  );
}

export function RevokeConfirm(props: { token: ApiToken; csrfToken: string }) {
  return (
    <article>
      <header>
        <strong safe>{`Revoke the token “${props.token.name}” (pl_${props.token.prefix}_…)?`}</strong>
      </header>
      <p>Anything still using it gets 401 from the next request on. This cannot be undone; create a new token if needed.</p>
      <form method="post" action={`/account/tokens/${props.token.id}/revoke`}>
        <CsrfField token={props.csrfToken} />
        <div class="form-actions">
          <button type="submit" class="danger">
            Revoke token
          </button>
          <a href="/account" role="button" class="secondary outline">
            Cancel
          </a>
        </div>
      </form>
    </article>
  );
}
