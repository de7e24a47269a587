// Configuration from the environment (DESIGN §6), validated once at start with a clear message.
import path from 'node:path';
import { passwordProblem } from './domain/password-policy.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  dbFile: string;
  seed: 'demo' | 'none';
  adminPassword: string | undefined;
  /** Requests per minute per client; 0 turns rate limiting off (benchmarks). */
  rateLimit: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  webhookAllowPrivate: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integerVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.PITLANE_DATA_DIR || 'data');
  const seed = env.PITLANE_SEED || 'demo';
  if (seed !== 'demo' && seed !== 'none') {
    throw new ConfigError(`PITLANE_SEED must be "demo" or "none", got "${seed}"`);
  }
  const logLevel = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const adminPassword = env.PITLANE_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && (adminPassword.length < 8 || adminPassword.length > 128)) {
    throw new ConfigError('PITLANE_ADMIN_PASSWORD must be 8 to 128 characters long');
  }
  const weak = adminPassword === undefined ? undefined : passwordProblem(adminPassword, 'admin');
  if (weak) throw new ConfigError(`PITLANE_ADMIN_PASSWORD ${weak}`);
  return {
    port: integerVar(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || 'localhost',
    dataDir,
    dbFile: path.resolve(env.PITLANE_DB || path.join(dataDir, 'pitlane.db')),
    seed,
    adminPassword,
    rateLimit: integerVar(env, 'PITLANE_RATE_LIMIT', 600, 0, 1_000_000),
    logLevel: logLevel as Config['logLevel'],
    webhookAllowPrivate: env.PITLANE_WEBHOOK_ALLOW_PRIVATE === '1',
  };
}
