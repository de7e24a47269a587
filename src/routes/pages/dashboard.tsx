import type { FastifyInstance } from 'fastify';
import { dashboardData } from '../../domain/dashboard.js';
import { DashboardPage } from '../../../views/pages/dashboard/dashboard-page.js';
import { pageContext, renderPage } from './render.js';

export async function dashboardPages(app: FastifyInstance) {
  app.get('/', async (request, reply) => {
    const ctx = pageContext(request, reply);
    return renderPage(request, reply, ctx, { title: 'Dashboard' }, <DashboardPage data={dashboardData(app.db)} />);
  });
}
