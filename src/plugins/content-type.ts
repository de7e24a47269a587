// Request bodies are JSON (API) or forms (pages); nothing else is parsed unless a route adds its
// own parser (CSV import, uploads). JSON must be UTF-8 (RFC 8259): a body declared in another
// charset would be read differently from what the client meant, so it is refused with 415.
import fp from 'fastify-plugin';
import { HttpProblem, problem } from './problems.js';

/** The charset parameter of a Content-Type header, lower-case and unquoted, if any. */
export function charsetOf(header: string): string | undefined {
  const [, ...params] = header.split(';');
  for (const param of params) {
    const i = param.indexOf('=');
    if (i < 0) continue;
    if (param.slice(0, i).trim().toLowerCase() !== 'charset') continue;
    return param.slice(i + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

export const contentTypePlugin = fp(
  async (app) => {
    // Fastify would hand a text/plain body to the handler as a string; the API wants JSON: 415.
    app.removeContentTypeParser('text/plain');
    app.addHook('preParsing', async (request) => {
      const header = request.headers['content-type'];
      if (typeof header !== 'string') return;
      const mediaType = header.split(';')[0]!.trim().toLowerCase();
      if (mediaType !== 'application/json') return;
      const charset = charsetOf(header);
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        throw new HttpProblem(problem('unsupported-media-type', `JSON must be UTF-8; send Content-Type: application/json (charset ${charset} is not accepted)`));
      }
    });
  },
  { name: 'content-type', dependencies: ['problems'] },
);
