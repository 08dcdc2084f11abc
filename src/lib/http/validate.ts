import type { z } from 'zod';
import { ValidationError } from '../errors/app-error.ts';

/**
 * Parses request input with a zod schema; failures become one ValidationError
 * whose fields map each input name to what is wrong with it.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, message = 'Some of what was sent is not valid.'): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.') || 'input';
    fields[key] ??= issue.message;
  }
  const first = Object.entries(fields)[0];
  throw new ValidationError(first && Object.keys(fields).length === 1 ? `${message} ${capitalise(first[0])}: ${first[1]}.` : message, fields);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
