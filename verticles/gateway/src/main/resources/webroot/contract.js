// What the dashboard lists that the contracts define — rule ids, states, feature names — read
// from the served OpenAPI document (its schemas are generated from the contract records), so no
// list here can drift from the server's.

let doc = null;

async function load() {
  if (!doc) {
    const r = await fetch('/api/v1/openapi.json', { headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error('the API description could not be read (' + r.status + ')');
    doc = await r.json();
  }
  return doc;
}

function resolve(d, ref) {
  return ref.replace(/^#\//, '').split('/').map((p) => decodeURIComponent(p.replace(/~1/g, '/').replace(/~0/g, '~')))
    .reduce((x, k) => (x ? x[k] : undefined), d);
}

function enumIn(d, schema, seen) {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return null;
  seen.add(schema);
  if (Array.isArray(schema.enum)) return schema.enum.filter((v) => v !== null);
  if (schema.$ref) return enumIn(d, resolve(d, schema.$ref), seen);
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    for (const s of schema[k] || []) {
      const found = enumIn(d, s, seen);
      if (found) return found;
    }
  }
  if (schema.items) return enumIn(d, schema.items, seen);
  return null;
}

/** The allowed values of a message's field, e.g. enumOf('Financial.FindingSearch', 'rule'). */
export async function enumOf(message, field) {
  const d = await load();
  const schema = d.components && d.components.schemas && d.components.schemas[message];
  const values = schema && schema.properties ? enumIn(d, schema.properties[field], new Set()) : null;
  if (!values) throw new Error('the API description has no values for ' + message + '.' + field);
  return values;
}
