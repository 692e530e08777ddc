/**
 * JSON Schema (draft-07) of reprise.yaml, generated from the zod schema. The YAML language server uses it
 * for validation, completion and hover; descriptions are copied to `markdownDescription` so hover renders
 * `code` spans.
 */
import { z } from 'zod';
import { RawConfigSchema } from './schema.js';

export const CONFIG_SCHEMA_ID = 'https://reprise.dev/schemas/reprise.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(RawConfigSchema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      const js = jsonSchema as Record<string, unknown>;
      if (typeof js.description === 'string') js.markdownDescription = js.description;
    },
  }) as Record<string, unknown>;
  return { $schema: schema.$schema, $id: CONFIG_SCHEMA_ID, ...schema };
}
