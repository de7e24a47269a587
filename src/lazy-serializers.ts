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

/** For Fastify's `schemaController.compilersFactory.buildSerializer`. */
export function lazySerializers(externalSchemas: unknown, options: unknown): Compile {
  const compile = defaultSerializers()(externalSchemas, options);
  return (routeSchema) => {
    let serialize: Serialize | undefined;
    return (data) => (serialize ??= compile(routeSchema))(data);
  };
}
