// /admin/webhooks: admins list, add (secret shown once), deactivate and delete hooks, and see
// each delivery's status; others are refused; everything typed comes back escaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, countRows, createTestApp, type TestApp } from '../../support/app.js';
import { pageSession, type PageSession } from '../../support/pages.js';

let t: TestApp;
let admin: PageSession;
beforeAll(async () => {
  t = await createTestApp({ webhookAllowPrivate: true });
  admin = await pageSession(t.app);
});
afterAll(async () => t.close());

const hooks = () => t.db.sqlite.prepare('SELECT id, url, events, active, description, version FROM webhooks ORDER BY id').all() as {
  id: number;
  url: string;
  events: string;
  active: number;
  description: string;
  version: number;
}[];

describe('/admin/webhooks', () => {
  it('shows the hooks, the add form with event checkboxes, and the deliveries', async () => {
    const res = await admin.get('/admin/webhooks');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html');
    expect(res.body).toContain('action="/admin/webhooks"');
    for (const e of ['test_run.created', 'test_run.updated', 'transfer.suspect', 'readiness.changed', 'import.finished']) {
      expect(res.body).toContain(`type="checkbox" name="events" value="${e}"`);
    }
    expect(res.body).toContain('Recent deliveries');
  });

  it('is for admins only', async () => {
    const engineer = await pageSession(t.app, addUser(t.db, 'kato', 'engineer'));
    expect((await engineer.get('/admin/webhooks')).statusCode).toBe(403);
    const post = await engineer.post('/admin/webhooks', { url: 'http://127.0.0.1:9/x', events: 'test_run.created' });
    expect(post.statusCode).toBe(403);
    expect(countRows(t.db, 'webhooks')).toBe(0);
  });

  it('adds a hook and shows its secret once; the description comes back escaped', async () => {
    const res = await admin.post('/admin/webhooks', {
      url: 'http://127.0.0.1:9/hooks/pitlane',
      events: ['test_run.created', 'transfer.suspect'],
      description: '<script>alert(1)</script><div hx-get="/admin">',
    });
    expect(res.statusCode).toBe(201);
    const secret = /whsec_[0-9a-f]{64}/.exec(res.body)?.[0];
    expect(secret).toBeTruthy();
    expect(hooks()).toMatchObject([{ url: 'http://127.0.0.1:9/hooks/pitlane', events: 'test_run.created,transfer.suspect', active: 1 }]);
    const again = await admin.get('/admin/webhooks');
    expect(again.body).not.toContain(secret!);
    expect(again.body).toContain('&lt;script>alert(1)&lt;/script>');
    expect(again.body).not.toContain('<script>alert(1)');
    expect(again.body).not.toContain('<div hx-get="/admin">');
  });

  it('re-renders the form with 422 and the values kept when input is refused', async () => {
    const before = countRows(t.db, 'webhooks');
    const noEvents = await admin.post('/admin/webhooks', { url: 'http://127.0.0.1:9/kept-value', description: 'kept description' });
    expect(noEvents.statusCode).toBe(422);
    expect(noEvents.body).toContain('value="http://127.0.0.1:9/kept-value"');
    expect(noEvents.body).toContain('kept description');
    expect(noEvents.body).toContain('id="error-summary"');
    const ftp = await admin.post('/admin/webhooks', { url: 'ftp://files.example.com/x', events: 'test_run.created' });
    expect(ftp.statusCode).toBe(422);
    expect(ftp.body).toContain('must be an http or https URL');
    expect(ftp.body).toMatch(/value="test_run.created" checked/);
    expect(countRows(t.db, 'webhooks')).toBe(before);
  });

  it('refuses a post without the CSRF token (403)', async () => {
    const before = countRows(t.db, 'webhooks');
    const res = await admin.post('/admin/webhooks', { url: 'http://127.0.0.1:9/x', events: 'test_run.created' }, { csrf: false });
    expect(res.statusCode).toBe(403);
    expect(countRows(t.db, 'webhooks')).toBe(before);
  });

  it('lists deliveries with status, attempts, last answer and next attempt; an error text is escaped', async () => {
    const hook = hooks()[0]!;
    t.db.sqlite
      .prepare(
        `INSERT INTO webhook_deliveries (webhook_id, event, payload, status, attempts, next_attempt_at, last_status, last_error) VALUES (?, 'test_run.created', '{}', 'pending', 2, '2030-01-02T03:04:00.000Z', 502, ?)`,
      )
      .run(hook.id, '<img src=x onerror=alert(1)>');
    const res = await admin.get('/admin/webhooks');
    expect(res.body).toContain('1 pending');
    expect(res.body).toContain('2030-01-02 03:04');
    expect(res.body).toContain('&lt;img src=x onerror=alert(1)>');
    expect(res.body).not.toContain('<img src=x');
    const detail = await admin.get(`/admin/webhooks/${hook.id}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('Retry now');
    expect(detail.body).toMatch(new RegExp(`/audit\\?entity=webhook&(amp;)?entity_id=${hook.id}"`));
  });

  it('deactivates, then deletes a hook after a confirmation (303s)', async () => {
    const hook = hooks()[0]!;
    const off = await admin.post(`/admin/webhooks/${hook.id}/active`, { version: String(hook.version), active: 'false' });
    expect(off.statusCode).toBe(303);
    expect(hooks()[0]!.active).toBe(0);
    const confirm = await admin.get(`/admin/webhooks/${hook.id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete the webhook for http://127.0.0.1:9/hooks/pitlane?');
    const del = await admin.post(`/admin/webhooks/${hook.id}/delete`, { version: String(hooks()[0]!.version) });
    expect(del.statusCode).toBe(303);
    expect(del.headers.location).toBe('/admin/webhooks');
    expect(hooks()).toEqual([]);
    expect(countRows(t.db, 'webhook_deliveries')).toBe(0);
  });
});
