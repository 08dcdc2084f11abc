/**
 * The contract between the dispatcher and the per-service action handlers.
 */
import type { EmulatorState, PartnerData } from './emulator-state.ts';
import type { Params } from './param-readers.ts';
import type { VerifiedSession } from './session-verifier.ts';

export interface PublicCall {
  service: string;
  action: string;
  params: Params;
  state: EmulatorState;
  nowSeconds: number;
}

export interface SessionCall extends PublicCall {
  session: VerifiedSession;
  /** The data of the session's partner. */
  data: PartnerData;
}

/**
 * public: no KS needed (session.start); session: any valid KS, the handler
 * narrows what a USER KS sees; admin: a USER KS gets SERVICE_FORBIDDEN.
 */
export type ActionDefinition =
  | { access: 'public'; run(call: PublicCall): unknown }
  | { access: 'session' | 'admin'; run(call: SessionCall): unknown };

/** Action names in lower case: Kaltura matches them case-insensitively. */
export type ServiceActions = Record<string, ActionDefinition>;
