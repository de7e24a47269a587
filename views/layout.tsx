// The one layout: navigation, title, breadcrumbs, flash message. No inline script or style:
// htmx and app.js are same-origin files; the CSRF token rides on every htmx request through
// the inherited hx-headers of <body>.
import type { PropsWithChildren } from '@kitajs/html';

export interface Crumb {
  label: string;
  href?: string;
}

export interface LayoutProps {
  title: string;
  csrfToken: string;
  currentPath: string;
  breadcrumbs?: Crumb[];
  flash?: string | undefined;
  user?: { name: string; role?: string } | undefined;
}

export const NAV: { href: string; label: string }[] = [
  { href: '/', label: 'Dashboard' },
  { href: '/test-runs', label: 'Test runs' },
  { href: '/technologies', label: 'Technologies' },
  { href: '/programs', label: 'Programs' },
  { href: '/prototypes', label: 'Prototypes' },
  { href: '/road-models', label: 'Road models' },
  { href: '/transfers', label: 'Transfers' },
  { href: '/lineage', label: 'Lineage' },
  { href: '/matrix', label: 'Matrix' },
  { href: '/reports', label: 'Reports' },
  { href: '/series', label: 'Series' },
  { href: '/audit', label: 'Audit' },
];

function isCurrent(current: string, href: string): boolean {
  return href === '/' ? current === '/' : current === href || current.startsWith(`${href}/`);
}

export function Layout(props: PropsWithChildren<LayoutProps>) {
  const headers = JSON.stringify({ 'x-csrf-token': props.csrfToken });
  const htmxConfig = JSON.stringify({ includeIndicatorCSS: false, defaultTimeout: 30000 });
  return (
    <>
        {'<!doctype html>'}
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <meta name="htmx-config" content={htmxConfig} />
            <meta name="csrf-token" content={props.csrfToken} />
            <title safe>{`${props.title} · Pitlane`}</title>
            <link rel="stylesheet" href="/assets/pico.css" />
            <link rel="stylesheet" href="/assets/app.css" />
            <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
            <script src="/assets/htmx.js" defer></script>
            <script src="/assets/app.js" defer></script>
          </head>
          <body {...{ 'hx-headers:inherited': headers }}>
            <a class="skip-link" href="#main">
              Skip to content
            </a>
            <header class="site-header">
              <nav class="container-fluid" aria-label="Main">
                <ul>
                  <li>
                    <a href="/" class="brand" aria-label="Pitlane home">
                      <strong>Pitlane</strong>
                    </a>
                  </li>
                </ul>
                {props.user ? (
                  <>
                  <ul class="account-links">
                    <li>
                      <a href="/account" class="secondary" aria-current={isCurrent(props.currentPath, '/account') ? 'page' : undefined} safe>
                        {props.user.name}
                      </a>
                    </li>
                    <li>
                      <form method="post" action="/logout" class="logout-form">
                        <input type="hidden" name="_csrf" value={props.csrfToken} />
                        <button type="submit" class="secondary outline">
                          Sign out
                        </button>
                      </form>
                    </li>
                  </ul>
                  <ul class="nav-links">
                    {NAV.map((item) => (
                      <li>
                        <a href={item.href} aria-current={isCurrent(props.currentPath, item.href) ? 'page' : undefined} safe>
                          {item.label}
                        </a>
                      </li>
                    ))}
                    {props.user.role === 'admin' ? (
                      <li>
                        <a href="/admin" aria-current={isCurrent(props.currentPath, '/admin') ? 'page' : undefined}>
                          Admin
                        </a>
                      </li>
                    ) : (
                      ''
                    )}
                  </ul>
                </>
              ) : (
                ''
              )}
            </nav>
          </header>
          <main id="main" class="container">
            {props.breadcrumbs && props.breadcrumbs.length > 0 ? (
              <nav aria-label="breadcrumb">
                <ul>
                  {props.breadcrumbs.map((c) => (
                    <li>{c.href ? <a href={c.href} safe>{c.label}</a> : <span safe>{c.label}</span>}</li>
                  ))}
                </ul>
              </nav>
            ) : (
              ''
            )}
            {props.flash ? (
              <p class="flash" role="status" safe>
                {props.flash}
              </p>
            ) : (
              ''
            )}
            {props.children}
          </main>
          <footer class="container site-footer">
            <small>
              Pitlane · motorsport-to-road technology tracker · <a href="/api/docs">API docs</a>
            </small>
          </footer>
        </body>
      </html>
    </>
  );
}
