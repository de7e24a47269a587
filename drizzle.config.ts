import { defineConfig } from 'drizzle-kit';

// Migrations are generated from db/schema.ts and applied by the app at start-up (src/db.ts).
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema.ts',
  out: './db/migrations',
  // FTS5 virtual tables are created by a hand-written migration; drizzle-kit must not touch them.
  tablesFilter: ['*', '!*_fts*'],
});
