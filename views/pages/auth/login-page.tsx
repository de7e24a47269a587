import { CsrfField, ErrorSummary } from '../../components/forms.js';

export function LoginPage(props: { csrfToken: string; next: string; username?: string | undefined; error?: string | undefined }) {
  return (
    <>
      <h1>Sign in</h1>
      <article class="login-card">
        <form method="post" action="/login">
          {props.error ? <ErrorSummary errors={{}} general={props.error} /> : ''}
          <CsrfField token={props.csrfToken} />
          <input type="hidden" name="next" value={props.next} />
          <label for="f-username">
            Username
            <input id="f-username" name="username" type="text" autocomplete="username" required autofocus value={props.username ?? ''} maxlength="40" autocapitalize="none" spellcheck="false" />
          </label>
          <label for="f-password">
            Password
            <input id="f-password" name="password" type="password" autocomplete="current-password" required maxlength="128" />
          </label>
          <button type="submit">Sign in</button>
        </form>
      </article>
    </>
  );
}
