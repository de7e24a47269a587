// The one SQLite handle of the app, closed when the app closes, and the lineage index kept beside it.
import fp from 'fastify-plugin';
import type { Db } from '../db.js';
import { closeLineageIndex, prepareLineageIndex } from '../domain/lineage-index.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
  }
}

export const databasePlugin = fp<{ db: Db; closeOnShutdown: boolean }>(
  async (app, opts) => {
    app.decorate('db', opts.db);
    // Read now (between requests, for a large database) so the first lineage request finds it.
    prepareLineageIndex(opts.db);
    app.addHook('onClose', async () => {
      closeLineageIndex(opts.db);
    });
    if (opts.closeOnShutdown) {
      app.addHook('onClose', async () => {
        opts.db.sqlite.close();
      });
    }
  },
  { name: 'database' },
);
