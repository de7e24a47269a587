import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';

describe('configuration', () => {
  it('defaults to port 3000, data/, demo seed', () => {
    const c = readConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe(path.resolve('data'));
    expect(c.dbFile).toBe(path.resolve('data/pitlane.db'));
    expect(c.seed).toBe('demo');
    expect(c.logLevel).toBe('info');
  });

  it('reads every variable of DESIGN §6', () => {
    const c = readConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      PITLANE_DATA_DIR: '/srv/pitlane',
      PITLANE_DB: '/srv/db/p.db',
      PITLANE_SEED: 'none',
      PITLANE_ADMIN_PASSWORD: 'correct horse battery',
      PITLANE_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
    });
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', dataDir: '/srv/pitlane', dbFile: '/srv/db/p.db', seed: 'none', adminPassword: 'correct horse battery', rateLimit: 0, logLevel: 'warn' });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ PITLANE_SEED: 'all' }, /PITLANE_SEED must be "demo" or "none"/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ PITLANE_RATE_LIMIT: '-1' }, /PITLANE_RATE_LIMIT must be a whole number/],
    [{ PITLANE_ADMIN_PASSWORD: 'short' }, /PITLANE_ADMIN_PASSWORD must be 8 to 128/],
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });
});
