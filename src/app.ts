// Builds the Pitlane app: the same instance for the server and for the tests. Every Fastify
// option lives here; plugins are registered explicitly and in order.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import { count } from 'drizzle-orm';
import { programs } from '../db/schema.js';
import { seedDemoData, type DemoUser } from '../db/seed.js';
import type { Config } from './config.js';
import { migrateDatabase, openDatabase, type Db } from './db.js';
import { lazySerializers } from './lazy-serializers.js';
import { ensureAdmin } from './domain/users.js';
import { configureAttachments } from './domain/attachments.js';
import { restoreBackupFiles } from './domain/backup.js';
import { OutboxWorker } from './domain/outbox.js';
import { authPlugin } from './plugins/auth.js';
import { databasePlugin } from './plugins/database.js';
import { idempotencyPlugin } from './plugins/idempotency.js';
import { openapiPlugin } from './plugins/openapi.js';
import { pagesPlugin } from './plugins/pages.js';
import { problem, problemsPlugin, sendProblem } from './plugins/problems.js';
import { contentTypePlugin } from './plugins/content-type.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { validationPlugin } from './plugins/validation.js';
import { apiV1Routes } from './routes/api/v1/index.js';
import { healthRoutes } from './routes/health.js';
import { pageRoutes } from './routes/pages/index.js';
import { registerSchemas } from './schemas/registry.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { loadServerSecret } from './secret.js';

export interface BuildOptions {
  config: Config;
  /** An already open database (tests); otherwise config.dbFile is opened and closed with the app. */
  db?: Db;
  /** Pino options or false; defaults to the configured level. */
  logger?: boolean | Record<string, unknown>;
  /** Called once when the `admin` user was created with a generated password. */
  onAdminCreated?: (password: string) => void;
  /** Called once when the demo seed created demo users (with their generated passwords). */
  onDemoUsersCreated?: (users: DemoUser[]) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The configuration the app was built with (the data folder for backups, ...). */
    config: Config;
  }
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Migrations, the first admin, and demo data when asked and the database has no program. */
export function prepareDatabase(db: Db, config: Config, onAdminCreated?: (password: string) => void, onDemoUsersCreated?: (users: DemoUser[]) => void): void {
  migrateDatabase(db);
  // A restored backup carries its attachment files: put them back before serving.
  restoreBackupFiles(db, config.dataDir);
  const admin = ensureAdmin(db, config.adminPassword);
  if (admin.generatedPassword) onAdminCreated?.(admin.generatedPassword);
  if (config.seed === 'demo') {
    const programCount = db.orm.select({ n: count() }).from(programs).get()!.n;
    if (programCount === 0) {
      const seeded = seedDemoData(db);
      if (seeded.demoUsers.length > 0) onDemoUsersCreated?.(seeded.demoUsers);
    }
  }
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options;
  const ownsDb = options.db === undefined;
  const db = options.db ?? openDatabase(config.dbFile);
  try {
    prepareDatabase(db, config, options.onAdminCreated, options.onDemoUsersCreated);
  } catch (error) {
    if (ownsDb) db.sqlite.close();
    throw error;
  }

  const app = Fastify({
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.body.password'], censor: '[redacted]' },
            ...(typeof options.logger === 'object' ? options.logger : {}),
          },
    bodyLimit: BODY_LIMIT_BYTES,
    // `__proto__` / `constructor.prototype` in a JSON body: 400, never merged into an object.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Errors raised before routing (a malformed URL, a path parameter over maxParamLength) answer
    // problem+json like every other refusal: a 400 naming the path.
    frameworkErrors: (error, _request, reply) => {
      const body = problem('validation', error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is too long' : 'the URL is malformed', {
        errors: [{ path: '/', message: error.message }],
      });
      void sendProblem(reply as FastifyReply, body);
    },
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('config', config);

  // First, so that its onRoute hook sees every route and the 404 handler can use app.rateLimit().
  await app.register(rateLimitPlugin, { max: config.rateLimit });
  await app.register(problemsPlugin);
  await app.register(validationPlugin);
  await app.register(databasePlugin, { db, closeOnShutdown: ownsDb });
  await app.register(securityHeadersPlugin);
  await app.register(cookie);
  await app.register(authPlugin);
  await app.register(contentTypePlugin);
  registerSchemas(app);
  await app.register(openapiPlugin);
  await app.register(idempotencyPlugin);
  await app.register(healthRoutes);
  await app.register(apiV1Routes);
  await app.register(pagesPlugin, { secret: loadServerSecret(config.dataDir) });
  await app.register(pageRoutes);
  // Attachments live under the data folder; the webhook outbox worker runs with the app.
  configureAttachments(db, config.dataDir);
  const outbox = new OutboxWorker(db, { allowPrivate: config.webhookAllowPrivate, log: app.log });
  app.addHook('onReady', async () => outbox.start());
  app.addHook('onClose', async () => outbox.stop());
  return app;
}
