// Builds the Pitlane app: the same instance for the server and for the tests. Every Fastify
// option lives here; plugins are registered explicitly and in order.
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import { count } from 'drizzle-orm';
import { programs } from '../db/schema.js';
import { seedDemoData } from '../db/seed.js';
import type { Config } from './config.js';
import { migrateDatabase, openDatabase, type Db } from './db.js';
import { ensureAdmin } from './domain/users.js';
import { authPlugin } from './plugins/auth.js';
import { databasePlugin } from './plugins/database.js';
import { idempotencyPlugin } from './plugins/idempotency.js';
import { openapiPlugin } from './plugins/openapi.js';
import { pagesPlugin } from './plugins/pages.js';
import { problemsPlugin } from './plugins/problems.js';
import { validationPlugin } from './plugins/validation.js';
import { apiV1Routes } from './routes/api/v1/index.js';
import { healthRoutes } from './routes/health.js';
import { pageRoutes } from './routes/pages/index.js';
import { registerSchemas } from './schemas/registry.js';
import { loadServerSecret } from './secret.js';

export interface BuildOptions {
  config: Config;
  /** An already open database (tests); otherwise config.dbFile is opened and closed with the app. */
  db?: Db;
  /** Pino options or false; defaults to the configured level. */
  logger?: boolean | Record<string, unknown>;
  /** Called once when the `admin` user was created with a generated password. */
  onAdminCreated?: (password: string) => void;
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Migrations, the first admin, and demo data when asked and the database has no program. */
export function prepareDatabase(db: Db, config: Config, onAdminCreated?: (password: string) => void): void {
  migrateDatabase(db);
  const admin = ensureAdmin(db, config.adminPassword);
  if (admin.generatedPassword) onAdminCreated?.(admin.generatedPassword);
  if (config.seed === 'demo') {
    const programCount = db.orm.select({ n: count() }).from(programs).get()!.n;
    if (programCount === 0) seedDemoData(db);
  }
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  const ownsDb = options.db === undefined;
  const db = options.db ?? openDatabase(config.dbFile);
  try {
    prepareDatabase(db, config, options.onAdminCreated);
  } catch (error) {
    if (ownsDb) db.sqlite.close();
    throw error;
  }

  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.body.password'], censor: '[redacted]' },
            ...(typeof options.logger === 'object' ? options.logger : {}),
          },
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(problemsPlugin);
  await app.register(validationPlugin);
  await app.register(databasePlugin, { db, closeOnShutdown: ownsDb });
  await app.register(cookie);
  await app.register(authPlugin);
  registerSchemas(app);
  await app.register(openapiPlugin);
  await app.register(idempotencyPlugin);
  await app.register(healthRoutes);
  await app.register(apiV1Routes);
  await app.register(pagesPlugin, { secret: loadServerSecret(config.dataDir) });
  await app.register(pageRoutes);
  return app;
}
