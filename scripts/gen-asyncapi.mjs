#!/usr/bin/env node
// Generates docs/asyncapi.yaml (AsyncAPI 3.0) from the proto files: every message carrying the
// `(storytelling.common.v1.event)` option (proto/storytelling/common/v1/options.proto) becomes a
// message on its topic's channel; its payload is the CloudEvents 1.0 envelope (ARCHITECTURE.md §3)
// whose `data` is the proto3 JSON mapping of the message. Comments in the proto files become
// descriptions. `--check` compares instead of writing (exit 1 when stale).
//
// Usage as a module (the unit test regenerates in memory): `generateAsyncApi({ root }) -> string`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const defaultRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const EVENT_OPTION = '[storytelling.common.v1.event]';
const TYPE_RE = /^storytelling\.([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)\.([a-z][a-z0-9_.]*)\.v(\d+)$/;

/** The proto module as a FileDescriptorSet (JSON), with comments, built by buf. */
export function buildImage(root = defaultRoot) {
  const buf = join(root, 'node_modules/.bin/buf');
  const out = execFileSync(buf, ['build', 'proto', '-o', '-#format=json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out);
}

function commentsOf(file) {
  const byPath = new Map();
  for (const loc of file.sourceCodeInfo?.location ?? []) {
    if (loc.path && loc.leadingComments) byPath.set(loc.path.join('.'), loc.leadingComments);
  }
  return (path) => clean(byPath.get(path.join('.')));
}

function clean(comment) {
  if (!comment) return undefined;
  const text = comment
    .split('\n')
    .map((l) => l.replace(/^ /, '').trimEnd())
    .join('\n')
    .trim();
  return text === '' ? undefined : text;
}

const SCALARS = {
  TYPE_STRING: { type: 'string' },
  TYPE_BOOL: { type: 'boolean' },
  TYPE_INT32: { type: 'integer', format: 'int32' },
  TYPE_SINT32: { type: 'integer', format: 'int32' },
  TYPE_SFIXED32: { type: 'integer', format: 'int32' },
  TYPE_UINT32: { type: 'integer', format: 'uint32', minimum: 0 },
  TYPE_FIXED32: { type: 'integer', format: 'uint32', minimum: 0 },
  // proto3 JSON writes 64-bit integers as decimal strings.
  TYPE_INT64: { type: 'string', format: 'int64', pattern: '^-?[0-9]+$' },
  TYPE_SINT64: { type: 'string', format: 'int64', pattern: '^-?[0-9]+$' },
  TYPE_SFIXED64: { type: 'string', format: 'int64', pattern: '^-?[0-9]+$' },
  TYPE_UINT64: { type: 'string', format: 'uint64', pattern: '^[0-9]+$' },
  TYPE_FIXED64: { type: 'string', format: 'uint64', pattern: '^[0-9]+$' },
  TYPE_DOUBLE: { type: 'number', format: 'double' },
  TYPE_FLOAT: { type: 'number', format: 'float' },
  TYPE_BYTES: { type: 'string', contentEncoding: 'base64' },
};

const WELL_KNOWN = {
  '.google.protobuf.Timestamp': { type: 'string', format: 'date-time' },
  '.google.protobuf.Duration': { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?s$' },
  '.google.protobuf.StringValue': { type: 'string' },
  '.google.protobuf.BoolValue': { type: 'boolean' },
  '.google.protobuf.Int32Value': { type: 'integer', format: 'int32' },
  '.google.protobuf.Struct': { type: 'object' },
};

/** Indexes every message and enum of the image by fully-qualified name. */
export function indexTypes(image) {
  const messages = new Map();
  const enums = new Map();
  for (const file of image.file) {
    const comment = commentsOf(file);
    const visit = (msgs, prefix, path) => {
      (msgs ?? []).forEach((m, i) => {
        const fqn = `${prefix}.${m.name}`;
        const p = [...path, i];
        messages.set(fqn, { descriptor: m, file, path: p, comment });
        visit(m.nestedType, fqn, [...p, 3]);
        (m.enumType ?? []).forEach((e, j) => enums.set(`${fqn}.${e.name}`, { descriptor: e, comment, path: [...p, 4, j] }));
      });
    };
    const pkg = file.package ? `.${file.package}` : '';
    visit(file.messageType, pkg, [4]);
    (file.enumType ?? []).forEach((e, j) => enums.set(`${pkg}.${e.name}`, { descriptor: e, comment, path: [5, j] }));
  }
  return { messages, enums };
}

function schemaName(fqn) {
  return fqn.replace(/^\./, '');
}

/** JSON Schema of a message's proto3 JSON mapping; referenced messages are added to `schemas`. */
function messageSchema(fqn, types, schemas) {
  const name = schemaName(fqn);
  if (schemas[name]) return { $ref: `#/components/schemas/${name}` };
  const entry = types.messages.get(fqn);
  if (!entry) throw new Error(`unknown message ${fqn}`);
  schemas[name] = {}; // reserve (recursion)
  const { descriptor, path, comment } = entry;
  const properties = {};
  (descriptor.field ?? []).forEach((f, i) => {
    let schema = fieldSchema(f, types, schemas);
    if (f.label === 'LABEL_REPEATED') schema = { type: 'array', items: schema };
    const description = comment([...path, 2, i]);
    properties[f.jsonName ?? f.name] = description ? { description, ...schema } : schema;
  });
  const description = comment(path);
  schemas[name] = {
    type: 'object',
    ...(description ? { description } : {}),
    // proto3 JSON omits fields at their default value, so no property is required.
    properties,
    additionalProperties: false,
  };
  return { $ref: `#/components/schemas/${name}` };
}

function fieldSchema(f, types, schemas) {
  if (f.type === 'TYPE_MESSAGE') {
    const wk = WELL_KNOWN[f.typeName];
    if (wk) return { ...wk };
    const nested = types.messages.get(f.typeName);
    if (nested?.descriptor.options?.mapEntry) {
      const value = nested.descriptor.field.find((x) => x.name === 'value');
      return { type: 'object', additionalProperties: fieldSchema(value, types, schemas) };
    }
    return messageSchema(f.typeName, types, schemas);
  }
  if (f.type === 'TYPE_ENUM') {
    const e = types.enums.get(f.typeName);
    if (!e) throw new Error(`unknown enum ${f.typeName}`);
    const description = e.comment(e.path);
    return { type: 'string', ...(description ? { description } : {}), enum: e.descriptor.value.map((v) => v.name) };
  }
  const scalar = SCALARS[f.type];
  if (!scalar) throw new Error(`unsupported field type ${f.type} (${f.name})`);
  return { ...scalar };
}

/** Every message with the event option, in file then declaration order. */
export function collectEvents(image, types) {
  const events = [];
  for (const [fqn, entry] of types.messages) {
    const opt = entry.descriptor.options?.[EVENT_OPTION];
    if (!opt) continue;
    const m = TYPE_RE.exec(opt.type ?? '');
    if (!m) throw new Error(`${fqn}: event type "${opt.type}" is not storytelling.<context>.<aggregate>.<event>.v<N>`);
    const [, context, aggregate, , version] = m;
    const derived = `${context}.${aggregate}.events`;
    const isCommand = (opt.topic ?? '') === `${context}.commands`;
    const topic = opt.topic || derived;
    if (!isCommand && topic !== derived) throw new Error(`${fqn}: topic ${topic} does not match type ${opt.type} (${derived})`);
    const subjectField = opt.subjectField ?? '';
    if (subjectField && !(entry.descriptor.field ?? []).some((f) => f.name === subjectField)) {
      throw new Error(`${fqn}: subject_field ${subjectField} is not a field`);
    }
    events.push({ fqn, name: entry.descriptor.name, type: opt.type, topic, context, version: Number(version), subjectField, entry, isCommand });
  }
  const seen = new Set();
  for (const e of events) {
    if (seen.has(e.type)) throw new Error(`event type ${e.type} declared twice`);
    seen.add(e.type);
  }
  return events;
}

function envelopeSchema() {
  return {
    type: 'object',
    description:
      'CloudEvents 1.0 envelope, structured JSON mode, in the Kafka message value. `data` is the proto3 JSON mapping of the event message.',
    required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data'],
    properties: {
      specversion: { type: 'string', const: '1.0' },
      id: { type: 'string', format: 'uuid', description: 'UUIDv7; consumers deduplicate on it (inbox).' },
      source: { type: 'string', pattern: '^/storytelling/[a-z-]+$', description: '/storytelling/<service>' },
      type: { type: 'string', description: 'storytelling.<context>.<aggregate>.<event>.v<N>' },
      subject: { type: 'string', description: 'Aggregate id; also the Kafka key.' },
      time: { type: 'string', format: 'date-time' },
      datacontenttype: { type: 'string', const: 'application/json' },
      aggregateversion: { type: 'integer', minimum: 1, description: 'Version of the aggregate after this event.' },
      correlationid: { type: 'string' },
      causationid: { type: 'string' },
      traceparent: { type: 'string', description: 'W3C trace context.' },
      data: { type: 'object' },
    },
  };
}

/** Builds the AsyncAPI document (a plain object). */
export function buildAsyncApi(image) {
  const types = indexTypes(image);
  const events = collectEvents(image, types);
  const schemas = { CloudEvent: envelopeSchema() };
  const messages = {};
  const channels = {};
  const operations = {};
  for (const e of events) {
    const dataRef = messageSchema(e.fqn, types, schemas);
    const key = `${e.context}.${e.name}`;
    const description = e.entry.comment(e.entry.path);
    messages[key] = {
      name: e.name,
      title: e.name,
      ...(description ? { summary: description.split('\n')[0] } : {}),
      ...(description ? { description } : {}),
      contentType: 'application/cloudevents+json',
      payload: {
        allOf: [
          { $ref: '#/components/schemas/CloudEvent' },
          {
            type: 'object',
            properties: { type: { const: e.type }, data: dataRef },
          },
        ],
      },
      bindings: {
        kafka: {
          key: { type: 'string', description: e.subjectField ? `Aggregate id (data.${camel(e.subjectField)})` : 'Aggregate id' },
          bindingVersion: '0.5.0',
        },
      },
      'x-cloudevents-type': e.type,
      'x-proto-message': schemaName(e.fqn),
    };
    const channelKey = e.topic;
    channels[channelKey] ??= {
      address: e.topic,
      title: e.topic,
      description: e.isCommand
        ? `Commands for ${e.context}, sent by saga orchestrators. Topic name is prefixed with KAFKA_TOPIC_PREFIX.`
        : `Events of ${e.topic.replace(/\.events$/, '')} aggregates, keyed by aggregate id (per-aggregate order). Topic name is prefixed with KAFKA_TOPIC_PREFIX.`,
      messages: {},
    };
    channels[channelKey].messages[e.name] = { $ref: `#/components/messages/${key}` };
  }
  for (const [key, channel] of Object.entries(channels)) {
    const context = key.split('.')[0];
    operations[`${opId(key)}`] = {
      action: 'send',
      title: `${context} publishes to ${key}`,
      channel: { $ref: `#/channels/${key}` },
      messages: Object.keys(channel.messages).map((m) => ({ $ref: `#/channels/${key}/messages/${m}` })),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Storytelling Platform integration events',
      version: '1.0.0',
      description:
        'GENERATED by scripts/gen-asyncapi.mjs from proto/ (messages with the storytelling.common.v1.event option). Do not edit; run `npm run gen`.\n' +
        'Delivery: at least once, per-aggregate order, CloudEvents 1.0 structured JSON in the Kafka value (see docs/adr/0004-proto-as-published-language.md).',
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      local: { host: '127.0.0.1:59092', protocol: 'kafka', description: 'Local single-node Kafka (npm start).' },
    },
    channels,
    operations,
    components: { messages, schemas },
  };
}

function camel(s) {
  return s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

function opId(topic) {
  return `publish_${topic.replace(/[^A-Za-z0-9]+/g, '_')}`;
}

// ---- a small, deterministic YAML writer (objects, arrays, strings, numbers, booleans) ----

const PLAIN = /^[A-Za-z_/$][A-Za-z0-9 _./$#()+-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(v) {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  const s = String(v);
  if (PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(' ') && !s.includes(' #') && !s.includes(': ')) return s;
  return JSON.stringify(s);
}

function key(k) {
  return /^[A-Za-z_$][A-Za-z0-9_.$-]*$/.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k);
}

function isEmpty(v) {
  return (Array.isArray(v) && v.length === 0) || (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
}

function emit(v, indent) {
  const pad = '  '.repeat(indent);
  if (Array.isArray(v)) {
    return v
      .map((item) => {
        if (item && typeof item === 'object' && !isEmpty(item)) {
          const body = emit(item, indent + 1);
          return `${pad}- ${body.slice(pad.length + 2)}`;
        }
        return `${pad}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}\n`;
      })
      .join('');
  }
  return Object.entries(v)
    .map(([k, val]) => {
      if (val && typeof val === 'object' && !isEmpty(val)) {
        return `${pad}${key(k)}:\n${emit(val, indent + 1)}`;
      }
      if (typeof val === 'string' && val.includes('\n')) {
        const lines = val.split('\n').map((l) => (l === '' ? '' : `${pad}  ${l}`));
        return `${pad}${key(k)}: |-\n${lines.join('\n')}\n`;
      }
      return `${pad}${key(k)}: ${isEmpty(val) ? (Array.isArray(val) ? '[]' : '{}') : scalar(val)}\n`;
    })
    .join('');
}

export function toYaml(doc) {
  return `# GENERATED by scripts/gen-asyncapi.mjs from proto/ - do not edit (npm run gen)\n${emit(doc, 0)}`;
}

/** The document as it should be on disk. */
export function generateAsyncApi({ root = defaultRoot } = {}) {
  return toYaml(buildAsyncApi(buildImage(root)));
}

function main() {
  const target = join(defaultRoot, 'docs/asyncapi.yaml');
  const text = generateAsyncApi();
  if (process.argv.includes('--check')) {
    const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
    if (current !== text) {
      process.stderr.write('docs/asyncapi.yaml is stale: run `npm run gen`\n');
      process.exit(1);
    }
    process.stdout.write('docs/asyncapi.yaml is current\n');
    return;
  }
  writeFileSync(target, text);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
