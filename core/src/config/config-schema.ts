/**
 * Reading a configuration schema as a tree: the `x-env` annotation, the type
 * of a node, and the nodes along a path. Kept loose (`SchemaNode`) because the
 * loader walks schemas it did not write.
 */

/** The annotation keyword that names the environment variable setting a key. */
export const ENV_KEYWORD = 'x-env';

/** A JSON Schema object, as the loader walks it. */
export type SchemaNode = Record<string, unknown>;

/** True when `value` is a JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The type a node describes; for a union such as `["integer", "null"]`, the first non-null one. */
export function typeOf(node: SchemaNode): string | undefined {
  const { type } = node;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === 'string' && t !== 'null');
  return undefined;
}

/** The environment variable a node names with `x-env`, if any. */
export function envOf(node: SchemaNode): string | undefined {
  const env = node[ENV_KEYWORD];
  return typeof env === 'string' ? env : undefined;
}

/** The subschema of one step down: a property of an object, or the items of an array. */
export function childOf(node: SchemaNode, segment: string): SchemaNode | undefined {
  const { properties, items } = node;
  if (isObject(properties) && Object.hasOwn(properties, segment)) {
    const child = properties[segment];
    return isObject(child) ? child : undefined;
  }
  if (isObject(items) && /^\d+$/.test(segment)) return items;
  return undefined;
}

/** The nodes from the root (excluded) down `segments`, stopping where the schema says no more. */
export function nodesAlong(root: SchemaNode, segments: readonly string[]): SchemaNode[] {
  const nodes: SchemaNode[] = [];
  let node: SchemaNode | undefined = root;
  for (const segment of segments) {
    node = childOf(node, segment);
    if (node === undefined) break;
    nodes.push(node);
  }
  return nodes;
}

/**
 * A copy of `schema` in which every object node that lists `properties` but
 * says nothing of `additionalProperties` refuses unknown keys, so a misspelt
 * key in the file is an error rather than silently ignored.
 */
export function closeObjects(schema: SchemaNode): SchemaNode {
  const copy: SchemaNode = { ...schema };
  const { properties, items } = schema;
  if (isObject(properties)) {
    copy.properties = Object.fromEntries(
      Object.entries(properties).map(([name, child]) => [
        name,
        isObject(child) ? closeObjects(child) : child,
      ]),
    );
    if (!('additionalProperties' in schema)) copy.additionalProperties = false;
  }
  if (isObject(items)) copy.items = closeObjects(items);
  return copy;
}
