// Types of scripts/check-user-data.mjs for the tests that import it.
export function jsonSchemaProblems(text: string): string[];
export function cloudInitSchema(file: string): string;
