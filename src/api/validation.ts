/**
 * The message of a failed schema check: one sentence naming the field once, with the allowed
 * forms, instead of Ajv's list (a `oneOf` reports every branch that failed, then itself).
 * Ajv runs with `verbose`, so each error carries the schema it failed against.
 */

interface SchemaLike {
  properties?: Record<string, unknown>;
  required?: readonly string[];
  oneOf?: readonly SchemaLike[];
}

export interface ValidationIssue {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: SchemaLike;
}

const PLACES: Record<string, string> = { querystring: 'parameter', body: 'field', params: 'path part' };

/** `{ cron, tz? }`: an object schema's fields, optional ones marked. */
function describeObject(schema: SchemaLike): string {
  const required = new Set(schema.required ?? []);
  const fields = Object.keys(schema.properties ?? {}).map((name) => (required.has(name) ? name : `${name}?`));
  return `{ ${fields.join(', ')} }`;
}

export function validationMessage(context: string, issues: readonly ValidationIssue[]): string {
  // A oneOf failure is reported by itself: the branches' own errors only say why each branch missed.
  const oneOf = issues.find((issue) => issue.keyword === 'oneOf');
  const issue = oneOf ?? issues[0];
  if (issue === undefined) return `${context} is not valid`;
  const at = `${context}${issue.instancePath}`;
  const schema = issue.parentSchema;
  switch (issue.keyword) {
    case 'oneOf': {
      const forms = (schema?.oneOf ?? []).map(describeObject);
      return `${at} must be one of ${forms.join(' or ')}`;
    }
    case 'additionalProperties': {
      const place = issue.instancePath === '' ? (PLACES[context] ?? 'field') : 'field';
      const allowed = Object.keys(schema?.properties ?? {});
      const known = allowed.length === 0 ? 'none is accepted' : `accepted: ${allowed.join(', ')}`;
      return `${at} has an unknown ${place} "${String(issue.params.additionalProperty)}" (${known})`;
    }
    case 'enum': {
      const values = (issue.params.allowedValues as unknown[] | undefined) ?? [];
      return `${at} must be one of ${values.map(String).join(', ')}`;
    }
    default:
      return `${at} ${issue.message ?? 'is not valid'}`;
  }
}
