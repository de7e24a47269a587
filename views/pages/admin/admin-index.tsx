// /admin: the admin's overview — people, reference data, the line-up plan, and a backup download.
import type { PropsWithChildren } from '@kitajs/html';
import { PageHead } from '../../components/common.js';

export const ADMIN_SECTIONS: { href: string; label: string }[] = [
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/categories', label: 'Technology categories' },
  { href: '/admin/markets', label: 'Markets' },
  { href: '/admin/plan-targets', label: 'Plan targets' },
  { href: '/admin/webhooks', label: 'Webhooks' },
];

/** The admin area's own navigation, under the page heading. */
export function AdminNav({ current }: { current: string }) {
  return (
    <nav aria-label="Administration" class="section-nav">
      <ul>
        <li>
          <a href="/admin" aria-current={current === '/admin' ? 'page' : undefined}>
            Overview
          </a>
        </li>
        {ADMIN_SECTIONS.map((s) => (
          <li>
            <a href={s.href} aria-current={current === s.href || current.startsWith(`${s.href}/`) ? 'page' : undefined} safe>
              {s.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Every admin page: the heading, the admin navigation, then the content. */
export function AdminFrame(props: PropsWithChildren<{ title: string; subtitle?: string | undefined; current: string }>) {
  return (
    <>
      <PageHead title={props.title} subtitle={props.subtitle} />
      <AdminNav current={props.current} />
      {props.children}
    </>
  );
}

export interface AdminCounts {
  users: number;
  disabledUsers: number;
  categories: number;
  markets: number;
  planTargets: number;
}

export function AdminIndexPage({ counts }: { counts: AdminCounts }) {
  return (
    <AdminFrame title="Administration" subtitle="People, reference data, the line-up plan and backups" current="/admin">
      <div class="stat-grid">
        <a class="stat" href="/admin/users">
          <strong>{counts.users}</strong>
          {counts.disabledUsers > 0 ? `users (${counts.disabledUsers} disabled)` : 'users'}
        </a>
        <a class="stat" href="/admin/categories">
          <strong>{counts.categories}</strong>
          technology categories
        </a>
        <a class="stat" href="/admin/markets">
          <strong>{counts.markets}</strong>
          markets
        </a>
        <a class="stat" href="/admin/plan-targets">
          <strong>{counts.planTargets}</strong>
          plan targets
        </a>
      </div>
      <section aria-labelledby="backup-title">
        <h2 id="backup-title">Backup</h2>
        <p>
          Download a fresh, verified copy of the whole database (an online backup: Pitlane keeps serving while it is made). It
          holds everything, password hashes included: keep it as safe as the server. To restore, follow “Operators” in the
          README (stop the server, put the file in place of the database, start again).
        </p>
        <a href="/admin/backup" role="button" download="">
          Download backup
        </a>
      </section>
    </AdminFrame>
  );
}
