// Security headers on every answer — pages, API, errors and the 401/403/redirects of the auth
// hook alike, which is why this is registered before auth: a strict CSP without unsafe-inline or
// unsafe-eval, frame-ancestors 'none', nosniff, and HSTS (browsers honour it only over HTTPS).
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';

export const securityHeadersPlugin = fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
        },
      },
      // HSTS only means something behind HTTPS; helmet sends it, browsers ignore it over HTTP.
      hsts: { maxAge: 31536000, includeSubDomains: true },
      crossOriginEmbedderPolicy: false,
    });
  },
  { name: 'security-headers' },
);
