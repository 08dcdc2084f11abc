/**
 * Invitations of backend accounts, one per account: the sha256 of the link's
 * token (never the token), who sent it, when it expires, whether the mail
 * went out, and when it was accepted. Resending renews the same row, so the
 * previous link stops working at once.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../lib/db/database.ts';
import type { InvitationsTable } from '../lib/db/schema.ts';

/** One link: a renewal replaces these in the invitation's row. */
export interface InvitationRenewal {
  tokenHash: string;
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
}

export interface NewInvitation extends InvitationRenewal {
  id: string;
  userId: string;
}

export interface Invitation extends NewInvitation {
  sentAt: number | null;
  sendError: string | null;
  acceptedAt: number | null;
}

export interface InvitationStore {
  insert(invitation: NewInvitation): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<Invitation | null>;
  findForUser(userId: string): Promise<Invitation | null>;
  /** A new token and expiry for an invitation not yet accepted; false if it was accepted or is gone. */
  renew(userId: string, renewal: InvitationRenewal): Promise<boolean>;
  /**
   * What happened to the mail of one link: sent, or the reason it was not. Keyed by the token's
   * hash, so that a slow send of an older link cannot overwrite what a resend recorded.
   */
  recordDelivery(tokenHash: string, delivery: { sentAt: number } | { sendError: string }): Promise<void>;
  /** Marks the link used if it is still good at `now`; false if it was used, renewed or expired (two submits of one link race here). */
  markAccepted(tokenHash: string, now: number): Promise<boolean>;
}

export function createInvitationStore(db: Db): InvitationStore {
  async function findBy(column: 'token_hash' | 'user_id', value: string): Promise<Invitation | null> {
    const row = await db.selectFrom('invitations').selectAll().where(column, '=', value).executeTakeFirst();
    return row ? toInvitation(row) : null;
  }

  return {
    async insert(invitation) {
      await db
        .insertInto('invitations')
        .values({
          id: invitation.id,
          user_id: invitation.userId,
          token_hash: invitation.tokenHash,
          invited_by: invitation.invitedBy,
          created_at: invitation.createdAt,
          expires_at: invitation.expiresAt,
          sent_at: null,
          send_error: null,
          accepted_at: null,
          revoked_at: null,
        })
        .execute();
    },

    findByTokenHash: (tokenHash) => findBy('token_hash', tokenHash),

    findForUser: (userId) => findBy('user_id', userId),

    async renew(userId, renewal) {
      const result = await db
        .updateTable('invitations')
        .set({ token_hash: renewal.tokenHash, invited_by: renewal.invitedBy, created_at: renewal.createdAt, expires_at: renewal.expiresAt, sent_at: null, send_error: null })
        .where('user_id', '=', userId)
        .where('accepted_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async recordDelivery(tokenHash, delivery) {
      await db
        .updateTable('invitations')
        .set('sentAt' in delivery ? { sent_at: delivery.sentAt, send_error: null } : { sent_at: null, send_error: delivery.sendError })
        .where('token_hash', '=', tokenHash)
        .execute();
    },

    async markAccepted(tokenHash, now) {
      const result = await db
        .updateTable('invitations')
        .set({ accepted_at: now })
        .where('token_hash', '=', tokenHash)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

function toInvitation(row: Selectable<InvitationsTable>): Invitation {
  return {
    id: row.id,
    userId: row.user_id,
    tokenHash: row.token_hash,
    invitedBy: row.invited_by,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    sendError: row.send_error,
    acceptedAt: row.accepted_at === null ? null : Number(row.accepted_at),
  };
}
