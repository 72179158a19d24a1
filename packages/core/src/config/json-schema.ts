/** JSON Schema as plain objects (draft-07 keywords, validated by ajv). */
export type JSONSchema = Record<string, unknown>;
