import type { z } from 'zod';
import { ValidationError } from '../errors/app-error.ts';
import { fieldProblem, phrase, type Text } from '../i18n/phrase.ts';

/**
 * Parses request input with a zod schema; failures become one ValidationError
 * whose fields map each input name to what is wrong with it. With a message
 * already in the person's language, the schema's messages are too; with a
 * phrase, the schema's messages are keys of the translation files (zod's own
 * English messages pass through), said where the error is shown with
 * `fieldValues` (the limits they name). A message about one field names it by its label in
 * `labels` (in the person's language, or a phrase), never by the key a form sends.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  message: Text = 'Some of what was sent is not valid.',
  fieldValues?: Record<string, unknown>,
  labels: Record<string, Text> = {},
): z.output<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join('.') || 'input';
    problems[key] ??= issue.message;
  }
  const entries = Object.entries(problems);
  const only = entries.length === 1 ? entries[0]! : null;
  if (typeof message === 'string') {
    const label = only ? labels[only[0]] : undefined;
    return fail(only ? `${message} ${typeof label === 'string' ? label : capitalise(only[0])}: ${only[1]}.` : message, problems);
  }
  const fields = Object.fromEntries(entries.map(([field, problem]) => [field, fieldProblem(problem, fieldValues)]));
  return fail(only ? phrase('common:validation.oneProblem', { message, field: labels[only[0]] ?? capitalise(only[0]), problem: fields[only[0]] }) : message, fields);
}

function fail(message: Text, fields: Record<string, Text>): never {
  throw new ValidationError(message, fields);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
