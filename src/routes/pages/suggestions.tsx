// Suggestions for the typed lookups (a Field with suggestUrl): technologies by name, prototypes by code or
// name, programs by label, as <option>s for a datalist. Each field sends its own name and value, hence the names below.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { suggestPrototypes } from '../../domain/prototypes.js';
import { suggestTechnologyNames } from '../../domain/technologies.js';
import { SuggestionOptions } from '../../../views/components/forms.js';
import { suggestProgramLabels } from '../../domain/programs.js';

const typed = Type.Optional(Type.String({ maxLength: 200 }));

const TechnologySuggestionQuery = Type.Object({ q: typed, technology: typed, evidence_technology: typed });
const PrototypeSuggestionQuery = Type.Object({ q: typed, prototype: typed, prototype_code: typed });
const ProgramSuggestionQuery = Type.Object({ q: typed, program: typed });

/** A field sends only its own value (htmx: a GET from a field inside a form leaves the form out). */
function text(...values: (string | undefined)[]): string {
  return values.find((v) => v !== undefined) ?? '';
}

export async function suggestionPages(app: FastifyInstance) {
  app.get('/technologies/suggestions', { schema: { querystring: TechnologySuggestionQuery, hide: true } }, async (request, reply) => {
    const q = request.query as Static<typeof TechnologySuggestionQuery>;
    const names = suggestTechnologyNames(app.db, text(q.q, q.technology, q.evidence_technology));
    return reply.header('cache-control', 'private, max-age=60').html(<SuggestionOptions suggestions={names.map((value) => ({ value }))} />);
  });

  app.get('/prototypes/suggestions', { schema: { querystring: PrototypeSuggestionQuery, hide: true } }, async (request, reply) => {
    const q = request.query as Static<typeof PrototypeSuggestionQuery>;
    const found = suggestPrototypes(app.db, text(q.q, q.prototype, q.prototype_code));
    return reply.header('cache-control', 'private, max-age=60').html(<SuggestionOptions suggestions={found.map((p) => ({ value: p.code, label: p.name || undefined }))} />);
  });

  app.get('/programs/suggestions', { schema: { querystring: ProgramSuggestionQuery, hide: true } }, async (request, reply) => {
    const q = request.query as Static<typeof ProgramSuggestionQuery>;
    const labels = suggestProgramLabels(app.db, text(q.q, q.program));
    return reply.header('cache-control', 'private, max-age=60').html(<SuggestionOptions suggestions={labels.map((value) => ({ value }))} />);
  });
}
