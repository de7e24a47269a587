// Starts Pitlane: reads the environment, builds the app, listens, and shuts down gracefully
// (in-flight requests finish, then the database closes).
import { buildApp } from './app.js';
import { ConfigError, readConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Pitlane cannot start: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const app = await buildApp({
    config,
    onAdminCreated: (password) => {
      console.log(`\n  Created the admin user. Username: admin  Password: ${password}\n  (shown once; set PITLANE_ADMIN_PASSWORD to choose it)\n`);
    },
    onDemoUsersCreated: (users) => {
      const lines = users.map((u) => `    ${u.username.padEnd(10)} ${u.role.padEnd(9)} ${u.password}`);
      console.log(`\n  Created demo users (shown once; change or disable them at /admin):\n${lines.join('\n')}\n`);
    },
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    app
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  console.log(`Pitlane is serving on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}  (API docs: /api/docs)`);
}

main().catch((error: unknown) => {
  console.error('Pitlane failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
