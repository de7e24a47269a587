// /admin/users: who may sign in, with which role; add, change role, disable/enable, reset password.
import { USER_ROLES } from '../../../db/schema.js';
import type { PublicUser } from '../../../src/domain/users.js';
import { Badge, humanize, TimeCell } from '../../components/common.js';
import { CsrfField, ErrorSummary, Field, FormActions, Select, StaleNotice, type FieldErrors, type StaleChange } from '../../components/forms.js';
import { AdminFrame } from './admin-index.js';

const ROLE_OPTIONS = USER_ROLES.map((r) => ({ value: r, label: humanize(r) }));
const ROLE_HINT = 'Viewers read; engineers log runs and assess readiness; product plans road models and reviews transfers; admins do everything.';

export function UsersListPage({ users, currentUserId }: { users: PublicUser[]; currentUserId: number }) {
  return (
    <AdminFrame title="Users" subtitle="Who may sign in, and with which role" current="/admin/users">
      <p>
        <a href="/admin/users/new" role="button">
          Add user
        </a>
      </p>
      <div class="table-scroll">
        <table>
          <caption class="visually-hidden">Users</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Display name</th>
              <th scope="col">Role</th>
              <th scope="col">Access</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr>
                <td>
                  <a href={`/admin/users/${u.id}`} safe>
                    {u.username}
                  </a>
                  {u.id === currentUserId ? ' (you)' : ''}
                </td>
                <td safe>{u.display_name}</td>
                <td>
                  <Badge value={u.role} />
                </td>
                <td>{u.disabled ? <Badge value="disabled" /> : <Badge value="active" />}</td>
                <td>
                  <TimeCell iso={u.created_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminFrame>
  );
}

export interface NewUserValues {
  username?: string | undefined;
  display_name?: string | undefined;
  role?: string | undefined;
}

export function NewUserForm(props: { csrfToken: string; values: NewUserValues; errors: FieldErrors; general?: string | undefined }) {
  return (
    <form method="post" action="/admin/users" hx-post="/admin/users" hx-target="this" hx-swap="outerHTML" novalidate>
      <ErrorSummary errors={props.errors} general={props.general} />
      <CsrfField token={props.csrfToken} />
      <div class="grid-2">
        <Field
          name="username"
          label="Username"
          value={props.values.username}
          errors={props.errors}
          required
          maxlength={40}
          autocomplete="off"
          autofocus
          hint="2–40 lower-case letters, digits, dot, dash or underscore."
        />
        <Field name="display_name" label="Display name" value={props.values.display_name} errors={props.errors} maxlength={100} hint="Shown in the pages; the username when empty." />
      </div>
      <Select name="role" label="Role" value={props.values.role ?? 'viewer'} options={ROLE_OPTIONS} errors={props.errors} required hint={ROLE_HINT} />
      <Field
        name="password"
        label="Initial password"
        type="password"
        autocomplete="new-password"
        errors={props.errors}
        required
        hint="8–128 characters, not a common password. Hand it over safely; they change it on their account page."
      />
      <FormActions submitLabel="Add user" cancelHref="/admin/users" />
    </form>
  );
}

export interface UserProfileValues {
  display_name?: string | undefined;
  role?: string | undefined;
  version?: number | undefined;
}

export function UserProfileForm(props: {
  user: PublicUser;
  self: boolean;
  csrfToken: string;
  values: UserProfileValues;
  errors: FieldErrors;
  general?: string | undefined;
  stale?: StaleChange[] | undefined;
}) {
  const action = `/admin/users/${props.user.id}`;
  return (
    <form id="profile-form" method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" novalidate>
      <h2>Name and role</h2>
      {props.stale ? <StaleNotice changes={props.stale} /> : <ErrorSummary errors={props.errors} general={props.general} />}
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="version" value={String(props.values.version ?? props.user.version)} />
      <div class="grid-2">
        <Field name="display_name" label="Display name" value={props.values.display_name} errors={props.errors} maxlength={100} />
        {props.self ? (
          <p>
            Role: <Badge value={props.user.role} />
            <br />
            <small>You cannot change your own role: ask another admin.</small>
          </p>
        ) : (
          <Select name="role" label="Role" value={props.values.role} options={ROLE_OPTIONS} errors={props.errors} required hint={ROLE_HINT} />
        )}
      </div>
      <div class="form-actions">
        <button type="submit" data-submit>
          Save
        </button>
      </div>
    </form>
  );
}

export function ResetPasswordForm(props: { user: PublicUser; csrfToken: string; errors: FieldErrors; general?: string | undefined }) {
  const action = `/admin/users/${props.user.id}/password`;
  return (
    <form id="reset-password-form" method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" novalidate>
      <h2>Reset password</h2>
      <p>Sets a new password and ends every session of this user; hand the new password over safely.</p>
      <ErrorSummary errors={props.errors} general={props.general} />
      <CsrfField token={props.csrfToken} />
      <div class="grid-2">
        <Field name="new_password" label="New password" type="password" autocomplete="new-password" errors={props.errors} required />
        <Field name="confirm_password" label="New password again" type="password" autocomplete="new-password" errors={props.errors} required />
      </div>
      <div class="form-actions">
        <button type="submit" data-submit>
          Reset password
        </button>
      </div>
    </form>
  );
}

function AccessSection({ user, self, csrfToken }: { user: PublicUser; self: boolean; csrfToken: string }) {
  if (self) {
    return (
      <section aria-labelledby="access-title">
        <h2 id="access-title">Access</h2>
        <p>This is your own account: you cannot disable it here (another admin can).</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="access-title">
      <h2 id="access-title">Access</h2>
      {user.disabled ? (
        <form method="post" action={`/admin/users/${user.id}/enable`}>
          <p>This user is disabled: they cannot sign in and their API tokens are refused.</p>
          <CsrfField token={csrfToken} />
          <button type="submit">Enable user</button>
        </form>
      ) : (
        <form method="post" action={`/admin/users/${user.id}/disable`}>
          <p>
            Disabling signs this user out everywhere at once (every session ends) and their API tokens stop working. Their
            history stays.
          </p>
          <CsrfField token={csrfToken} />
          <button type="submit" class="danger">
            Disable user
          </button>
        </form>
      )}
    </section>
  );
}

export interface UserDetailProps {
  user: PublicUser;
  self: boolean;
  activeTokens: number;
  csrfToken: string;
  profile: { values: UserProfileValues; errors: FieldErrors; general?: string | undefined; stale?: StaleChange[] | undefined };
  password: { errors: FieldErrors; general?: string | undefined };
}

export function UserDetailPage(props: UserDetailProps) {
  const u = props.user;
  return (
    <AdminFrame title={u.username} subtitle={u.display_name} current="/admin/users">
      <dl class="facts">
        <dt>Role</dt>
        <dd>
          <Badge value={u.role} />
        </dd>
        <dt>Access</dt>
        <dd>{u.disabled ? <Badge value="disabled" /> : <Badge value="active" />}</dd>
        <dt>API tokens</dt>
        <dd>{props.activeTokens} active</dd>
        <dt>Created</dt>
        <dd>
          <TimeCell iso={u.created_at} />
        </dd>
        <dt>History</dt>
        <dd>
          <a href={`/audit?entity=user&entity_id=${u.id}`}>Who changed what</a>
        </dd>
      </dl>
      <UserProfileForm user={u} self={props.self} csrfToken={props.csrfToken} {...props.profile} />
      <AccessSection user={u} self={props.self} csrfToken={props.csrfToken} />
      <ResetPasswordForm user={u} csrfToken={props.csrfToken} {...props.password} />
    </AdminFrame>
  );
}
