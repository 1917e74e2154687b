/**
 * /docs: the OpenAPI document rendered as one self-contained HTML page (no script, no stylesheet or
 * font fetched from anywhere): each operation with its role, parameters, body and responses, and the
 * schemas. Every text from the document is HTML-escaped.
 */
interface Doc {
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, unknown>> };
}
interface Operation {
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly parameters?: readonly {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: unknown;
  }[];
  readonly requestBody?: { content?: Record<string, { schema?: unknown }> };
  readonly responses?: Readonly<
    Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>
  >;
}

const escape = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

const schemaText = (schema: unknown): string => {
  if (typeof schema === 'object' && schema !== null && '$ref' in schema) {
    const name = String((schema as { $ref: string }).$ref)
      .split('/')
      .at(-1)!;
    return `<a href="#schema-${escape(name)}">${escape(name)}</a>`;
  }
  return `<code>${escape(JSON.stringify(schema ?? {}))}</code>`;
};

function operation(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<li><code>${escape(p.name)}</code> (${escape(p.in)}${p.required === true ? ', required' : ''}) ${escape(p.description ?? '')}</li>`,
    )
    .join('');
  const body = Object.entries(op.requestBody?.content ?? {})
    .map(([type, c]) => `<p>Body <code>${escape(type)}</code>: ${schemaText(c.schema)}</p>`)
    .join('');
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => {
      const content = Object.entries(r.content ?? {})
        .map(([type, c]) => ` <code>${escape(type)}</code> ${schemaText(c.schema)}`)
        .join('');
      return `<li><b>${escape(status)}</b> ${escape(r.description ?? '')}${content}</li>`;
    })
    .join('');
  const id = `${method}-${path}`.replace(/[^\w-]/g, '_');
  return `<section id="${escape(id)}"><h3><span class="m">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h3>
<p>${escape(op.summary ?? '')}</p>${op.description === undefined ? '' : `<p class="d">${escape(op.description)}</p>`}
${params === '' ? '' : `<h4>Parameters</h4><ul>${params}</ul>`}${body}<h4>Responses</h4><ul>${responses}</ul></section>`;
}

export function docsPage(doc: Doc): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operation(method, path, op)]);
    }
  }
  const sections = [...byTag]
    .map(([tag, ops]) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>${ops.join('\n')}`)
    .join('\n');
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(
      ([name, s]) =>
        `<section id="schema-${escape(name)}"><h3>${escape(name)}</h3><pre>${escape(JSON.stringify(s, null, 2))}</pre></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(doc.info.title)} API ${escape(doc.info.version)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.5rem;overflow:auto}
section{border-top:1px solid #ddd;padding:.25rem 0}.m{display:inline-block;min-width:4rem;color:#05a}.d{color:#555;white-space:pre-line}</style>
</head><body><h1>${escape(doc.info.title)} API <small>${escape(doc.info.version)}</small></h1>
<p>${escape(doc.info.description ?? '')}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Authenticate with
<code>Authorization: Bearer mft_...</code> (<code>macfleet token create --role viewer|operator|admin</code>).
Errors are <code>application/problem+json</code> (RFC 9457) with a macfleet <code>code</code>.</p>
<nav>${[...byTag.keys()].map((t) => `<a href="#tag-${escape(t)}">${escape(t)}</a>`).join(' · ')} · <a href="#schemas">schemas</a></nav>
${sections}<h2 id="schemas">Schemas</h2>${schemas}</body></html>`;
}
