/**
 * Kaltura API exceptions with the codes and message templates of the real
 * server (api_v3 KalturaErrors / APIErrors and the metadata plugin's
 * MetadataErrors), so callers see exactly what production would answer.
 */

const MESSAGE_TEMPLATES = {
  INTERNAL_SERVERL_ERROR: 'Internal server error occurred "@ERROR@"',
  MISSING_KS: 'Missing KS, session not established',
  INVALID_ACTIONS_LIMIT: 'Invalid actions limit',
  USER_BLOCKED: 'this user is blocked',
  INVALID_OBJECT_ID: 'Invalid object id [@ID@]',
  CANNOT_UPDATE_CATEGORY_USER: 'cannot update category user',
  CATEGORY_USER_JOIN_NOT_ALLOWED: 'cannot register to this category ["@CAT@"]',
  INVALID_KS: 'Invalid KS "@KSID@", Error "@ERR_CODE@,@ERR_DESC@"',
  START_SESSION_ERROR: 'Error while starting session for partner [@PID@]',
  SERVICE_NOT_SPECIFIED: 'Service name was not specified, please specify one',
  SERVICE_DOES_NOT_EXISTS: 'Service "@SRV_NAME@" does not exists',
  ACTION_NOT_SPECIFIED: 'Action name was not specified, please specify one',
  ACTION_DOES_NOT_EXISTS: 'Action "@ACTION_NAME@" does not exists for service "@SERVICE_NAME@"',
  SERVICE_FORBIDDEN: 'The access to service [@SERVICE@] is forbidden',
  PARTNER_ACCESS_FORBIDDEN: 'Partner [@ACCESSING_PID@] cannot access partner [@ACCESSED_PID@]',
  MISSING_MANDATORY_PARAMETER: 'Missing parameter "@PARAM_NAME@"',
  INVALID_OBJECT_TYPE: 'Invalid object type "@INVALID_OBJ_TYPE@"',
  INVALID_ENUM_VALUE: 'Invalid enumeration value "@ENUM_VAL@" for parameter "@PARAM_NAME@", expecting enumeration type "@ENUM_TYPE@"',
  PROPERTY_VALIDATION_CANNOT_BE_NULL: 'The property "@PROP_NAME@" cannot be null',
  /** Kaltura's PROPERTY_VALIDATION_NOT_VALID, whose code is spelt this way. */
  PROPERTY_VALIDATION_UNTIL_NOT_VALID: 'The property "@PROP_NAME@" is not valid',
  PROPERTY_VALIDATION_NUMERIC_VALUE: 'The property "@PROP_NAME@" must be numeric',
  PROPERTY_VALIDATION_WRONG_FORMAT: 'The property "@PROP_NAME@" must match format @FORMAT@',
  INVALID_USER_ID: 'Invalid user id',
  DUPLICATE_USER_BY_ID: 'User with id [@UID@] already exists in system',
  CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION: 'cannot retrieve another user "@USER_ID@" using non-admin session',
  CATEGORY_NOT_FOUND: 'Category id "@ID@" not found',
  PARENT_CATEGORY_NOT_FOUND: 'Parent category id "@ID@" not found',
  DUPLICATE_CATEGORY: 'The category "@CATEGORY@" already exists',
  PARENT_CATEGORY_IS_CHILD: 'The parent category "@PARENT_CATEGORY@" is one of the children for category "@OTHER_CATEGORY@"',
  CATEGORY_NAME_CONTAINS_INVALID_CHARS: 'Category name contains invalid chars.',
  INVALID_CATEGORY_USER_ID: 'Invalid CategoryUser for category ["@CAT@"] and for user ["@USER@"]',
  CATEGORY_INHERIT_MEMBERS: 'Cannot add members to this category since its inherit members from parent category ["@CAT@"]',
  CATEGORY_INHERIT_MEMBERS_MUST_SET_PARENT_CATEGORY: 'Category that inherit members must have parent category set',
  CATEGORY_USER_ALREADY_EXISTS: 'CategoryUser already exists',
  CANNOT_UPDATE_CATEGORY_USER_OWNER: 'Cannot change CategoryUser object for category Owner',
  MUST_FILTER_USERS_OR_CATEGORY: 'Must filter users or categories',
  UPLOAD_ERROR: 'Upload failed',
  UPLOAD_TOKEN_NOT_FOUND: 'Upload token not found',
  UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD: 'Upload token is in an invalid status for uploading a file, maybe the file was already uploaded',
  UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY: 'Upload token is in an invalid status for adding entry, maybe the a file was not uploaded or the token was used',
  UPLOAD_TOKEN_CANNOT_RESUME: 'Cannot resume the upload, original file was not found',
  UPLOAD_TOKEN_RESUMING_INVALID_POSITION: 'Resuming not allowed after end of file',
  ENTRY_ID_NOT_FOUND: 'Entry id "@ENTRY_ID@" not found',
  ENTRY_ALREADY_WITH_CONTENT: 'Entry already associated with content',
  RESOURCE_TYPE_NOT_SUPPORTED: 'Resource type "@RES_TYPE@" not suppported',
  INVALID_ENTRY_ID: 'Invalid entry id ["@ENTRY_ID@"]',
  CANNOT_ASSIGN_ENTRY_TO_CATEGORY: 'Cannot assign entry to category',
  CATEGORY_ENTRY_ALREADY_EXISTS: 'Entry already assigned to this category',
  MUST_FILTER_ON_ENTRY_OR_CATEGORY: 'Must filter on entry id or category',
  SYSTEM_NAME_ALREADY_EXISTS: 'System name [@SYS_NAME@] already exists',
  METADATA_PROFILE_NOT_FOUND: 'metadata profile not found, id [@ID@]',
  INVALID_METADATA_PROFILE: 'invalid metadata profile [@ID@]',
  INVALID_METADATA_PROFILE_SCHEMA: 'invalid metadata profile schema: @ERROR@',
  INCOMPATIBLE_METADATA_PROFILE_OBJECT_TYPE: 'Metadata Profile object type is @PROFILE_TYPE@, metadata object type is @OBJECT_TYPE@',
  INVALID_METADATA_OBJECT: 'invalid metadata object [@ID@]',
  METADATA_ALREADY_EXISTS: 'Metadata already exists id [@ID@]',
  METADATA_NOT_FOUND: 'metadata not found, id [@ID@]',
  INVALID_METADATA_DATA: 'invalid metadata data: @ERROR@',
  INVALID_METADATA_VERSION: 'invalid metadata version [@VERSION@]',
} as const;

export type KalturaErrorCode = keyof typeof MESSAGE_TEMPLATES;
type ErrorArgs = Record<string, string | number>;

/** What Kaltura puts in the HTTP 200 body (or a multirequest slot) when an action fails. */
export interface KalturaErrorResponse {
  code: KalturaErrorCode;
  message: string;
  objectType: 'KalturaAPIException';
  args: Record<string, string>;
}

export class KalturaApiError extends Error {
  readonly code: KalturaErrorCode;
  readonly args: Record<string, string>;

  constructor(code: KalturaErrorCode, args: ErrorArgs = {}) {
    const textArgs = Object.fromEntries(Object.entries(args).map(([name, value]) => [name, String(value)]));
    super(fillTemplate(MESSAGE_TEMPLATES[code], textArgs));
    this.name = 'KalturaApiError';
    this.code = code;
    this.args = textArgs;
  }

  toResponse(): KalturaErrorResponse {
    return { code: this.code, message: this.message, objectType: 'KalturaAPIException', args: this.args };
  }
}

export function apiError(code: KalturaErrorCode, args: ErrorArgs = {}): KalturaApiError {
  return new KalturaApiError(code, args);
}

/** Anything that is not a KalturaApiError is a bug or a broken request: still answer like Kaltura does. */
export function toErrorResponse(error: unknown): KalturaErrorResponse {
  if (error instanceof KalturaApiError) return error.toResponse();
  const detail = error instanceof Error ? error.message : String(error);
  return apiError('INTERNAL_SERVERL_ERROR', { ERROR: detail }).toResponse();
}

function fillTemplate(template: string, args: Record<string, string>): string {
  return template.replace(/@([A-Z_]+)@/g, (placeholder, name: string) => args[name] ?? placeholder);
}
