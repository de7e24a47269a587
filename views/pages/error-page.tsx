import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemBody } from '../../src/plugins/problems.js';
import { csrfUserInfo } from '../../src/plugins/pages.js';
import { Layout } from '../layout.js';

const HEADINGS: Record<number, string> = {
  403: 'You cannot do that here',
  404: 'Nothing at this address',
  409: 'That conflicts with the current data',
  412: 'Someone changed this meanwhile',
  422: 'That could not be accepted',
  429: 'Too many requests',
};

/** An HTML error: the whole page normally, just the message for an htmx partial request. */
export function ErrorPage({ request, reply, problem }: { request: FastifyRequest; reply: FastifyReply; problem: ProblemBody }) {
  const heading = HEADINGS[problem.status] ?? (problem.status >= 500 ? 'Something went wrong on our side' : 'That request could not be handled');
  const detail = problem.status >= 500 ? 'The error was logged. Try again in a moment.' : problem.detail;
  const message = (
    <article class="error-message" role="alert">
      {request.isPartial ? (
        <header>
          <strong safe>{heading}</strong>
        </header>
      ) : (
        ''
      )}
      <p safe>{detail}</p>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </article>
  );
  if (request.isPartial) return message;
  let csrfToken = '';
  try {
    csrfToken = reply.generateCsrf({ userInfo: csrfUserInfo(request) });
  } catch {
    csrfToken = '';
  }
  return (
    <Layout
      title={heading}
      csrfToken={csrfToken}
      currentPath={request.url.split('?')[0] ?? '/'}
      user={request.auth?.user ? { name: request.auth.user.display_name, role: request.auth.user.role } : undefined}
    >
      <h1 safe>{heading}</h1>
      {message}
    </Layout>
  );
}
