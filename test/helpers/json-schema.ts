/**
 * A small JSON Schema validator for the subset the OpenAPI document uses: type (string,
 * integer, number, boolean, object, array, null), required, properties, additionalProperties
 * false, items, enum, const, oneOf, minimum, and local $refs (#/components/schemas/X).
 * It returns every problem with its path, so a failing test says where an answer went wrong.
 * (ajv would do; it is not a dependency, and this is all the document needs.)
 */
export type JsonSchema = Record<string, any>

const KNOWN = new Set(['type', 'required', 'properties', 'additionalProperties', 'items', 'enum', 'const', 'oneOf', 'minimum', '$ref', 'description'])

export function validate (value: unknown, schema: JsonSchema, root: JsonSchema, path = '$'): string[] {
  if (typeof schema.$ref === 'string') return validate(value, resolveRef(schema.$ref, root), root, path)
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) return [`${path}: the schema uses "${key}", which this validator does not check`]
  }
  if (schema.const !== undefined && value !== schema.const) return [`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`]
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`]
  if (Array.isArray(schema.oneOf)) {
    const matching = schema.oneOf.filter((s: JsonSchema) => validate(value, s, root, path).length === 0).length
    if (matching !== 1) return [`${path}: ${JSON.stringify(value)?.slice(0, 200)} matches ${matching} of the oneOf schemas, not exactly one`]
  }
  if (schema.type !== undefined && !hasType(value, schema.type)) return [`${path}: ${JSON.stringify(value)?.slice(0, 200)} is not of type ${schema.type}`]
  const problems: string[] = []
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) problems.push(`${path}: ${value} is under ${schema.minimum}`)
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, i) => problems.push(...validate(item, schema.items, root, `${path}[${i}]`)))
  }
  if (isObject(value)) problems.push(...validateObject(value, schema, root, path))
  return problems
}

function validateObject (value: Record<string, unknown>, schema: JsonSchema, root: JsonSchema, path: string): string[] {
  const problems: string[] = []
  for (const key of schema.required ?? []) {
    if (!Object.hasOwn(value, key)) problems.push(`${path}: "${key}" is required`)
  }
  const properties: Record<string, JsonSchema> = schema.properties ?? {}
  for (const [key, item] of Object.entries(value)) {
    if (Object.hasOwn(properties, key)) problems.push(...validate(item, properties[key], root, `${path}.${key}`))
    else if (schema.additionalProperties === false) problems.push(`${path}: "${key}" is not allowed`)
  }
  return problems
}

function hasType (value: unknown, type: string): boolean {
  switch (type) {
    case 'integer': return Number.isInteger(value)
    case 'number': return typeof value === 'number' && Number.isFinite(value)
    case 'object': return isObject(value)
    case 'array': return Array.isArray(value)
    case 'null': return value === null
    default: return typeof value === type
  }
}

function isObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

export function resolveRef (ref: string, root: JsonSchema): JsonSchema {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`)
  const target = ref.slice(2).split('/').reduce<any>((node, name) => node?.[name], root)
  if (target === undefined) throw new Error(`$ref ${ref} names nothing in the document`)
  return target
}
