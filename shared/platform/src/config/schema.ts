import { readFileSync } from 'node:fs';

/**
 * A tiny typed schema DSL for environment variables. Each variable is a `ConfigVar<T>` built by
 * `str()`, `int()`, `port()`, `bool()`, `oneOf()`, `url()`, `list()`, refined with
 * `.default(v)`, `.optional()`, `.secret()` and `.describe(text)`; `loadConfig(schema)` turns a
 * schema into a typed, frozen object or fails with every problem at once.
 */
export class ConfigVar<T> {
  constructor(
    /** Parses the raw string; throws an Error whose message says what is wrong (without the value if secret). */
    readonly parse: (raw: string) => T,
    readonly hint: string,
    readonly defaultValue: { value: T } | undefined = undefined,
    readonly isOptional: boolean = false,
    readonly isSecret: boolean = false,
    readonly description: string | undefined = undefined,
  ) {}

  /** Value when the variable is unset or empty. */
  default(value: T): ConfigVar<T> {
    return new ConfigVar(this.parse, this.hint, { value }, this.isOptional, this.isSecret, this.description);
  }

  /** `undefined` when unset or empty. */
  optional(): ConfigVar<T | undefined> {
    return new ConfigVar<T | undefined>(this.parse, this.hint, this.defaultValue, true, this.isSecret, this.description);
  }

  /**
   * Never echoed in errors or logs. A secret may also be given as a file: `<NAME>_FILE` holds a
   * path whose contents (trailing newline trimmed) are the value (Kubernetes/Docker secrets).
   */
  secret(): ConfigVar<T> {
    return new ConfigVar(this.parse, this.hint, this.defaultValue, this.isOptional, true, this.description);
  }

  describe(text: string): ConfigVar<T> {
    return new ConfigVar(this.parse, this.hint, this.defaultValue, this.isOptional, this.isSecret, text);
  }
}

export type ConfigSchema = Record<string, ConfigVar<unknown>>;

/** The typed configuration a schema describes. */
export type ConfigOf<S extends ConfigSchema> = { readonly [K in keyof S]: S[K] extends ConfigVar<infer T> ? T : never };

export function str(options: { minLength?: number; pattern?: RegExp } = {}): ConfigVar<string> {
  const { minLength = 0, pattern } = options;
  return new ConfigVar((raw) => {
    if (raw.length < minLength) throw new Error(`must be at least ${minLength} characters`);
    if (pattern && !pattern.test(raw)) throw new Error(`must match ${String(pattern)}`);
    return raw;
  }, pattern ? `string matching ${String(pattern)}` : 'string');
}

export function int(options: { min?: number; max?: number } = {}): ConfigVar<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  return new ConfigVar((raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error('must be an integer');
    const n = Number(raw.trim());
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}`);
    return n;
  }, `integer ${min}..${max}`);
}

/** A TCP port; 0 asks the OS for a free one (tests). */
export function port(): ConfigVar<number> {
  const base = int({ min: 0, max: 65535 });
  return new ConfigVar(base.parse, 'port 0..65535');
}

export function bool(): ConfigVar<boolean> {
  return new ConfigVar((raw) => {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new Error('must be true or false');
  }, 'boolean');
}

export function oneOf<const V extends readonly string[]>(values: V): ConfigVar<V[number]> {
  return new ConfigVar((raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw as V[number];
  }, values.join('|'));
}

/** An absolute URL, optionally restricted to some protocols (e.g. ['postgres:', 'postgresql:']). */
export function url(protocols: readonly string[] = []): ConfigVar<string> {
  return new ConfigVar((raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error('must be an absolute URL');
    }
    if (protocols.length > 0 && !protocols.includes(parsed.protocol)) {
      throw new Error(`must be a ${protocols.map((p) => p.replace(/:$/, '')).join(' or ')} URL`);
    }
    return raw;
  }, protocols.length ? `${protocols.join('|')} URL` : 'URL');
}

/** Comma-separated list; each item trimmed, empty items dropped, each checked by `item`. */
export function list(item: ConfigVar<string> = str({ minLength: 1 }), options: { minItems?: number } = {}): ConfigVar<string[]> {
  const { minItems = 1 } = options;
  return new ConfigVar((raw) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (items.length < minItems) throw new Error(`must list at least ${minItems} item(s), comma-separated`);
    return items.map((s, i) => {
      try {
        return item.parse(s);
      } catch (err) {
        throw new Error(`item ${i + 1}: ${(err as Error).message}`);
      }
    });
  }, `comma-separated ${item.hint}`);
}

/** `host:port`. */
export function hostPort(): ConfigVar<string> {
  return new ConfigVar((raw) => {
    const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw);
    if (!m || Number(m[2]) > 65535) throw new Error('must be host:port');
    return raw;
  }, 'host:port');
}

export class ConfigError extends Error {
  constructor(
    readonly problems: readonly { variable: string; problem: string }[],
    service?: string,
  ) {
    super(
      `Invalid configuration${service ? ` for ${service}` : ''} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const secretKeys = new WeakMap<object, ReadonlySet<string>>();

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Named in the error message. */
  service?: string;
}

/**
 * Reads and validates every variable of `schema` from the environment. Fails with a ConfigError
 * that lists every missing or invalid variable at once (values of secrets are never shown).
 */
export function loadConfig<S extends ConfigSchema>(schema: S, options: LoadConfigOptions = {}): ConfigOf<S> {
  const env = options.env ?? process.env;
  const problems: { variable: string; problem: string }[] = [];
  const out: Record<string, unknown> = {};
  const secrets = new Set<string>();
  for (const [name, spec] of Object.entries(schema)) {
    if (spec.isSecret) secrets.add(name);
    let raw = env[name];
    if ((raw === undefined || raw === '') && spec.isSecret) {
      const file = env[`${name}_FILE`];
      if (file !== undefined && file !== '') {
        try {
          raw = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        } catch (err) {
          problems.push({ variable: `${name}_FILE`, problem: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
          continue;
        }
      }
    }
    if (raw === undefined || raw === '') {
      if (spec.defaultValue) out[name] = spec.defaultValue.value;
      else if (spec.isOptional) out[name] = undefined;
      else problems.push({ variable: name, problem: `required (${spec.description ?? spec.hint})` });
      continue;
    }
    try {
      out[name] = spec.parse(raw);
    } catch (err) {
      const shown = spec.isSecret ? '' : ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}...` : raw)})`;
      problems.push({ variable: name, problem: `${(err as Error).message}${shown}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, options.service);
  const config = Object.freeze(out) as ConfigOf<S>;
  secretKeys.set(config, secrets);
  return config;
}

/** A copy safe to log: secrets of a config made by loadConfig are replaced by "[redacted]". */
export function redactConfig<C extends object>(config: C): Record<string, unknown> {
  const secrets = secretKeys.get(config) ?? new Set<string>();
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, secrets.has(k) || /PASSWORD|SECRET|PRIVATE_KEY|TOKEN|EMAIL/i.test(k) ? (v === undefined ? v : '[redacted]') : v]),
  );
}
