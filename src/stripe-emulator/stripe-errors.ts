/**
 * Stripe's error shape: `{error: {type, code?, decline_code?, message, param?}}`
 * with Stripe's statuses (400 invalid request, 401 authentication, 402 card,
 * 404 missing resource, 409 idempotency). stripe-node turns each type into its
 * own error class (StripeInvalidRequestError, StripeCardError…).
 */
export type StripeErrorType = 'invalid_request_error' | 'card_error' | 'idempotency_error' | 'api_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
}

export class StripeApiError extends Error {
  readonly status: number;
  readonly body: StripeErrorBody;

  constructor(status: number, body: StripeErrorBody) {
    super(body.message);
    this.status = status;
    this.body = body;
  }

  static invalid(message: string, param?: string, code = 'parameter_invalid'): StripeApiError {
    return new StripeApiError(400, { type: 'invalid_request_error', message, code, ...(param && { param }) });
  }

  static missingParam(param: string): StripeApiError {
    return new StripeApiError(400, { type: 'invalid_request_error', code: 'parameter_missing', message: `Missing required param: ${param}.`, param });
  }

  static noSuch(kind: string, id: string, param = 'id'): StripeApiError {
    return new StripeApiError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${kind}: '${id}'`, param });
  }

  static unknownParam(param: string): StripeApiError {
    return new StripeApiError(400, { type: 'invalid_request_error', code: 'parameter_unknown', message: `Received unknown parameter: ${param}`, param });
  }

  static card(message: string, declineCode: string, code = 'card_declined'): StripeApiError {
    return new StripeApiError(402, { type: 'card_error', code, decline_code: declineCode, message });
  }
}
