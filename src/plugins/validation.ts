// Two validators: JSON bodies are strict (no coercion: "7" is not an integer; unknown fields are
// refused by `additionalProperties: false` in every body schema), while query strings, params and
// headers arrive as text and are coerced.
import fp from 'fastify-plugin';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats ships CommonJS with `exports.default`; under NodeNext the function may arrive wrapped.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    ...options,
  });
  addFormats(ajv);
  return ajv;
}

export const validationPlugin = fp(
  async (app) => {
    const strict = makeAjv({ coerceTypes: false });
    const coercing = makeAjv({ coerceTypes: 'array' });
    app.setValidatorCompiler(({ schema, httpPart }) => {
      const ajv = httpPart === 'body' ? strict : coercing;
      // Compiled at the route's first request, not at start (a sixth of the start time).
      let compiled: ValidateFunction | undefined;
      const validate = (data: unknown) => {
        compiled ??= ajv.compile(schema as object);
        const valid = compiled(data);
        validate.errors = compiled.errors;
        return valid;
      };
      validate.errors = null as ValidateFunction['errors'];
      return validate;
    });
  },
  { name: 'validation' },
);
