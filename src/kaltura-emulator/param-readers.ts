/**
 * Reads action parameters the way Kaltura's dispatcher does and reports bad
 * ones with Kaltura's errors (missing, not numeric, bad enum, wrong objectType).
 */
import type { z } from 'zod';
import { apiError, type KalturaApiError } from './kaltura-errors.ts';
import { KALTURA_ENUMS, kBool, kInt, kString, type EnumIssueParams, type KalturaEnumName } from './kaltura-schemas.ts';

export type Params = Record<string, unknown>;

export function readString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  const parsed = kString.safeParse(value);
  if (!parsed.success) throw apiError('PROPERTY_VALIDATION_WRONG_FORMAT', { PROP_NAME: name, FORMAT: 'string' });
  return parsed.data;
}

export function requireString(params: Params, name: string): string {
  return readString(params, name) ?? missing(name);
}

export function readInt(params: Params, name: string): number | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = kInt.safeParse(value);
  if (!parsed.success) throw apiError('PROPERTY_VALIDATION_NUMERIC_VALUE', { PROP_NAME: name });
  return parsed.data;
}

export function requireInt(params: Params, name: string): number {
  return readInt(params, name) ?? missing(name);
}

export function readBoolean(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = kBool.safeParse(value);
  if (!parsed.success) throw apiError('PROPERTY_VALIDATION_WRONG_FORMAT', { PROP_NAME: name, FORMAT: 'boolean' });
  return parsed.data;
}

export function readEnum(params: Params, name: string, enumType: KalturaEnumName): number | undefined {
  const value = readInt(params, name);
  const allowed: readonly number[] = KALTURA_ENUMS[enumType];
  if (value !== undefined && !allowed.includes(value)) throw invalidEnum(value, name, enumType);
  return value;
}

/**
 * An object parameter (a KalturaUser, a filter, a pager...). Its objectType,
 * when sent, must be one the action declares; absent, the declared one is meant.
 */
export function readObject<S extends z.ZodType>(params: Params, name: string, acceptedTypes: readonly [string, ...string[]], schema: S): z.output<S> | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw apiError('INVALID_OBJECT_TYPE', { INVALID_OBJ_TYPE: typeof value });
  const objectType = (value as { objectType?: unknown }).objectType;
  if (objectType !== undefined && !acceptedTypes.includes(String(objectType))) {
    throw apiError('INVALID_OBJECT_TYPE', { INVALID_OBJ_TYPE: String(objectType) });
  }
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw propertyError(parsed.error.issues[0], acceptedTypes[0]);
  return parsed.data;
}

export function requireObject<S extends z.ZodType>(params: Params, name: string, acceptedTypes: readonly [string, ...string[]], schema: S): z.output<S> {
  return readObject(params, name, acceptedTypes, schema) ?? missing(name);
}

/** Kaltura's check that an object passed to add carries a property the action needs. */
export function requireProperty<T>(value: T | undefined, objectType: string, property: string): T {
  if (value === undefined) throw apiError('PROPERTY_VALIDATION_CANNOT_BE_NULL', { PROP_NAME: `${objectType}::${property}` });
  return value;
}

/** Splits Kaltura's comma-separated "...In" filter values. */
export function csvValues(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function csvIntegers(value: string | undefined): number[] | undefined {
  return csvValues(value)
    ?.map(Number)
    .filter((item) => Number.isInteger(item));
}

function missing(name: string): never {
  throw apiError('MISSING_MANDATORY_PARAMETER', { PARAM_NAME: name });
}

function invalidEnum(value: unknown, name: string, enumType: string): KalturaApiError {
  return apiError('INVALID_ENUM_VALUE', { ENUM_VAL: String(value), PARAM_NAME: name, ENUM_TYPE: enumType });
}

function propertyError(issue: z.core.$ZodIssue | undefined, objectType: string): KalturaApiError {
  if (issue?.code === 'unrecognized_keys') return apiError('PROPERTY_VALIDATION_UNTIL_NOT_VALID', { PROP_NAME: `${objectType}::${issue.keys[0] ?? ''}` });
  const property = issue?.path.join('.') ?? '';
  const input = issue?.input;
  if (issue?.code === 'custom' && isEnumIssue(issue.params)) return invalidEnum(input, property, issue.params.enumType);
  if (issue?.code === 'invalid_type' && issue.expected === 'number') {
    return apiError('PROPERTY_VALIDATION_NUMERIC_VALUE', { PROP_NAME: `${objectType}::${property}` });
  }
  const format = issue?.code === 'invalid_type' ? issue.expected : 'valid';
  return apiError('PROPERTY_VALIDATION_WRONG_FORMAT', { PROP_NAME: `${objectType}::${property}`, FORMAT: format });
}

function isEnumIssue(params: unknown): params is EnumIssueParams {
  return typeof params === 'object' && params !== null && typeof (params as { enumType?: unknown }).enumType === 'string';
}
