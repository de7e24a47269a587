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
    // Read once the server listens (between requests, for a large database), so the first lineage
    // request finds it. Not before: its chunks would run between the plugins' start-up steps and
    // delay the first answer (measured: +0.5 s on the bench database).
    app.addHook('onListen', async () => {
      prepareLineageIndex(opts.db);
    });
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
