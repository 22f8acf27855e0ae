import schema from './records.schema.json';

/**
 * The JSON Schema (draft 2020-12) of every line the CLI prints on stdout and of `BatchRecord`:
 * `kind: 'result'` records, `kind: 'operation'` lines (get, list) and `kind: 'would-cancel'` lines
 * (cancel-all --dry-run). Also shipped as the file `lro-cancel/records.schema.json`.
 *
 * @example
 * ```ts
 * import Ajv from 'ajv';
 * const validate = new Ajv().compile(recordsSchema);
 * for await (const r of cancelMany(names)) if (!validate(r)) throw new Error('unexpected record');
 * ```
 */
// Typed as a plain object: the JSON's literal type would spell the whole schema into the .d.ts.
export const recordsSchema: Readonly<Record<string, unknown>> = schema;
