// The one SQLite handle of the app, closed when the app closes.
import fp from 'fastify-plugin';
import type { Db } from '../db.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

export const databasePlugin = fp<{ db: Db; closeOnShutdown: boolean }>(
  async (app, opts) => {
    app.decorate('db', opts.db);
    if (opts.closeOnShutdown) {
      app.addHook('onClose', async () => {
        opts.db.sqlite.close();
      });
    }
  },
  { name: 'database' },
);
