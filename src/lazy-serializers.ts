// Response serializers compiled when a route first answers instead of at start. fast-json-stringify
// builds each route's serializer against every shared schema, which was 40 % of the start time;
// the serializers are those Fastify builds by default (its own compiler, same options), so every
// answer is byte for byte the same.
import { createRequire } from 'node:module';

type Serialize = (data: unknown) => string;
type Compile = (routeSchema: { schema?: unknown }) => Serialize;
type SerializerFactory = (externalSchemas: unknown, options: unknown) => Compile;

// Fastify's dependency, resolved from Fastify itself: the very factory it would use.
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
const defaultSerializers = requireFromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory;

const SCALARS = new Set(['string', 'integer', 'number', 'boolean']);
const COMBINATORS = ['anyOf', 'oneOf', 'allOf', 'not', 'if', '$ref'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isNull = (s: unknown) => isObject(s) && s.type === 'null' && Object.keys(s).every((k) => k === 'type' || k === 'description');
const isScalar = (s: unknown) => isObject(s) && typeof s.type === 'string' && SCALARS.has(s.type) && COMBINATORS.every((k) => !(k in s));

/**
 * The schema fast-json-stringify is given, not the documented one: `anyOf: [{ type: 'null' }, S]`
 * with S a scalar (a nullable id, time or text) becomes S with `nullable: true`. For an anyOf,
 * fast-json-stringify runs an Ajv validation of each branch on every value, formats included
 * (the date-time regex for each run's end_time): 3.5 % of the run list's CPU. `nullable` writes
 * null or the value with the same function, so the bytes are the same.
 */
export function serializerSchema<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(serializerSchema) as T;
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key] = serializerSchema(value);
  const anyOf = out.anyOf;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const nullAt = anyOf.findIndex(isNull);
    const other: unknown = anyOf[1 - nullAt];
    if (nullAt !== -1 && isScalar(other)) {
      const { anyOf: _, ...siblings } = out;
      return { ...siblings, ...(other as object), nullable: true } as T;
    }
  }
  return out as T;
}

/** For Fastify's `schemaController.compilersFactory.buildSerializer`. */
export function lazySerializers(externalSchemas: unknown, options: unknown): Compile {
  const shared = isObject(externalSchemas) ? Object.fromEntries(Object.entries(externalSchemas).map(([id, s]) => [id, serializerSchema(s)])) : externalSchemas;
  const compile = defaultSerializers()(shared, options);
  return (routeSchema) => {
    let serialize: Serialize | undefined;
    return (data) => (serialize ??= compile({ ...routeSchema, schema: serializerSchema(routeSchema.schema) }))(data);
  };
}
