import { z } from 'zod';

export interface ConfigVariable<S extends z.ZodType = z.ZodType> {
  schema: S;
  description: string;
  /** Secrets are never printed; the start-up summary shows "(set)" instead. */
  secret?: boolean;
}

export type ConfigSpec = Record<string, ConfigVariable>;
export type ConfigValues<S extends ConfigSpec> = { [K in keyof S]: z.infer<S[K]['schema']> };

export function variable<S extends z.ZodType>(schema: S, description: string, secret = false): ConfigVariable<S> {
  return { schema, description, secret };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the environment once, at start-up (DESIGN principle 8). Every problem
 * is reported at once, by variable name, so that a bad deployment fails fast and clearly.
 */
export function loadConfig<S extends ConfigSpec>(spec: S, env: Record<string, string | undefined> = process.env): ConfigValues<S> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, variableSpec] of Object.entries(spec)) {
    const raw = env[name];
    const parsed = variableSpec.schema.safeParse(raw === '' ? undefined : raw);
    if (parsed.success) {
      values[name] = parsed.data;
    } else {
      const shown = variableSpec.secret || raw === undefined ? '' : ` (got "${raw}")`;
      problems.push(`${name}: ${parsed.error.issues.map((i) => i.message).join('; ')}${shown}. ${variableSpec.description}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as ConfigValues<S>;
}

/** A one-line-per-variable summary for start-up logs, with secrets hidden. */
export function describeConfig<S extends ConfigSpec>(spec: S, values: ConfigValues<S>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, variableSpec] of Object.entries(spec)) {
    const value = (values as Record<string, unknown>)[name];
    out[name] = variableSpec.secret ? (value === undefined ? '(unset)' : '(set)') : JSON.stringify(value);
  }
  return out;
}

export const port = (fallback: number): z.ZodType<number> => z.coerce.number().int().min(1).max(65535).default(fallback);
export const positiveInt = (fallback: number): z.ZodType<number> => z.coerce.number().int().positive().default(fallback);
export const csv = (fallback: string): z.ZodType<string[]> =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p.length > 0),
    )
    .pipe(z.array(z.string()).min(1));
