import { randomUUID } from 'node:crypto';
import type { Db } from '../lib/db/database.ts';
import type { RoomRow } from '../lib/db/schema.ts';
import { parsePlanLimits, type PlanLimits } from '../courses/plan-catalogue.ts';

export type RoomKind = 'channel' | 'private' | 'course';

/** One room model for a channel's room, a private room and a backend course. */
export interface Room {
  id: string;
  kind: RoomKind;
  name: string;
  channelId: number | null;
  ownerUserId: string | null;
  /** People present at once; null: the configured default. */
  capacity: number | null;
  createdAt: number;
  updatedAt: number;
  /** A plan of the catalogue (src/courses/plan-catalogue.ts); null: a MediaSpace room outside the plans and licences. */
  planId: string | null;
  /** The room's own limits, on a plan with custom limits. */
  planLimits: PlanLimits | null;
}

export interface RoomStore {
  findById(id: string): Promise<Room | null>;
  findByChannel(channelId: number): Promise<Room | null>;
  /** The channel's one room, created on first use; concurrent first uses agree on one room. */
  ensureChannelRoom(channelId: number, channelName: string, now: number): Promise<Room>;
  createPrivateRoom(ownerUserId: string, name: string, now: number): Promise<Room>;
  listPrivateRooms(ownerUserId: string): Promise<Room[]>;
  countPrivateRooms(ownerUserId: string): Promise<number>;
}

export function createRoomStore(db: Db): RoomStore {
  async function findByChannel(channelId: number): Promise<Room | null> {
    const row = await db.selectFrom('rooms').selectAll().where('channel_id', '=', channelId).executeTakeFirst();
    return row ? toRoom(row) : null;
  }

  return {
    async findById(id) {
      const row = await db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRoom(row) : null;
    },

    findByChannel,

    async ensureChannelRoom(channelId, channelName, now) {
      const existing = await findByChannel(channelId);
      if (existing) {
        if (existing.name === channelName) return existing;
        // The channel was renamed in MediaSpace: the room follows.
        await db.updateTable('rooms').set({ name: channelName, updated_at: now }).where('id', '=', existing.id).execute();
        return { ...existing, name: channelName, updatedAt: now };
      }
      await db
        .insertInto('rooms')
        .values({ id: randomUUID(), kind: 'channel', name: channelName, channel_id: channelId, owner_user_id: null, capacity: null, created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('channel_id').doNothing())
        .execute();
      return (await findByChannel(channelId))!;
    },

    async createPrivateRoom(ownerUserId, name, now) {
      const row = { id: randomUUID(), kind: 'private' as const, name, channel_id: null, owner_user_id: ownerUserId, capacity: null, created_at: now, updated_at: now, plan_id: null, plan_limits: null };
      await db.insertInto('rooms').values(row).execute();
      return toRoom(row);
    },

    async listPrivateRooms(ownerUserId) {
      const rows = await db
        .selectFrom('rooms')
        .selectAll()
        .where('owner_user_id', '=', ownerUserId)
        .where('kind', '=', 'private')
        .orderBy('created_at', 'desc')
        .orderBy('name')
        .execute();
      return rows.map(toRoom);
    },

    async countPrivateRooms(ownerUserId) {
      const row = await db
        .selectFrom('rooms')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('owner_user_id', '=', ownerUserId)
        .where('kind', '=', 'private')
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  };
}

type RoomFields = Pick<RoomRow, 'id' | 'kind' | 'name' | 'channel_id' | 'owner_user_id' | 'capacity' | 'created_at' | 'updated_at' | 'plan_id' | 'plan_limits'>;

/** A row of `rooms` as the room it is; a course adds its own fields to this. */
export function toRoom(row: RoomFields): Room {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    channelId: row.channel_id === null ? null : Number(row.channel_id),
    ownerUserId: row.owner_user_id,
    capacity: row.capacity,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    planId: row.plan_id,
    planLimits: parsePlanLimits(row.plan_limits),
  };
}
