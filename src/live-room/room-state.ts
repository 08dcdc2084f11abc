/**
 * The live state of rooms that several server instances would have to share:
 * who is connected (with how many connections), whose hand is up, and a bus
 * that carries room events to every instance's sockets. This in-process
 * implementation is the default; a Redis implementation (hashes for presence
 * and hands, pub/sub for the bus) can stand in its place behind this interface
 * to run several instances behind a load balancer.
 */
import { EventEmitter } from 'node:events';
import type { RoomPermission, RoomRole } from '../rooms/room-permissions.ts';
import type { ServerMessage } from './room-protocol.ts';

export interface PresentPerson {
  userId: string;
  name: string;
  email: string | null;
  role: RoomRole;
  permissions: RoomPermission[];
  /** When their first connection came, in ms. */
  since: number;
  /** Their profile picture's address, if they have one: shown on their tile when their camera is off. */
  picture?: string | null;
}

export interface WebcamPlace {
  userId: string;
  since: number;
}

export interface RaisedHand {
  userId: string;
  raisedAt: number;
}

/**
 * Who in a room receives a message: everybody in it, by room role, or one person. People waiting for
 * an instructor to admit them are not in it yet: only 'waiting' and messages to them alone reach them.
 */
export type Audience = 'everyone' | 'instructors' | 'participants' | 'waiting' | { userId: string };

export interface RoomEvent {
  roomId: string;
  audience: Audience;
  message: ServerMessage;
  /** Close the receivers' connections after delivering the message. */
  close?: { code: number; reason: string };
}

export interface RoomState {
  /** Counts one more connection of a person; answers how many they now have. */
  addConnection(roomId: string, person: PresentPerson): Promise<number>;
  /** Counts one connection less; answers how many remain (0: the person has left). */
  removeConnection(roomId: string, userId: string): Promise<number>;
  people(roomId: string): Promise<PresentPerson[]>;
  /** False if the hand was already up. */
  raiseHand(roomId: string, userId: string, at: number): Promise<boolean>;
  /** False if the hand was not up. */
  lowerHand(roomId: string, userId: string): Promise<boolean>;
  /** Raised hands, first raised first. */
  hands(roomId: string): Promise<RaisedHand[]>;
  clearHands(roomId: string): Promise<void>;
  /**
   * Takes a webcam place, unless `limit` places are taken already (checked and taken in one
   * step, so two people cannot both take the last place). `limit` null: no limit.
   */
  takeWebcam(roomId: string, userId: string, at: number, limit: number | null): Promise<'taken' | 'held' | 'full'>;
  /** False if the person held no place. */
  releaseWebcam(roomId: string, userId: string): Promise<boolean>;
  /** Places taken, first taken first. */
  webcams(roomId: string): Promise<WebcamPlace[]>;
  clearWebcams(roomId: string): Promise<void>;
  publish(event: RoomEvent): void;
  subscribe(listener: (event: RoomEvent) => void): () => void;
}

export function createInProcessRoomState(): RoomState {
  const presence = new Map<string, Map<string, { person: PresentPerson; connections: number }>>();
  const raised = new Map<string, Map<string, number>>();
  const webcams = new Map<string, Map<string, number>>();
  const bus = new EventEmitter();
  bus.setMaxListeners(0);

  const roomOf = <T>(rooms: Map<string, Map<string, T>>, roomId: string): Map<string, T> => {
    let room = rooms.get(roomId);
    if (!room) rooms.set(roomId, (room = new Map()));
    return room;
  };

  return {
    async addConnection(roomId, person) {
      const room = roomOf(presence, roomId);
      const entry = room.get(person.userId);
      if (entry) {
        entry.connections += 1;
        return entry.connections;
      }
      room.set(person.userId, { person, connections: 1 });
      return 1;
    },

    async removeConnection(roomId, userId) {
      const room = presence.get(roomId);
      const entry = room?.get(userId);
      if (!room || !entry) return 0;
      entry.connections -= 1;
      if (entry.connections > 0) return entry.connections;
      room.delete(userId);
      if (room.size === 0) presence.delete(roomId);
      return 0;
    },

    async people(roomId) {
      return [...(presence.get(roomId)?.values() ?? [])].map((entry) => entry.person);
    },

    async raiseHand(roomId, userId, at) {
      const room = roomOf(raised, roomId);
      if (room.has(userId)) return false;
      room.set(userId, at);
      return true;
    },

    async lowerHand(roomId, userId) {
      return raised.get(roomId)?.delete(userId) ?? false;
    },

    async hands(roomId) {
      return [...(raised.get(roomId)?.entries() ?? [])].map(([userId, raisedAt]) => ({ userId, raisedAt })).sort((a, b) => a.raisedAt - b.raisedAt);
    },

    async clearHands(roomId) {
      raised.delete(roomId);
    },

    async takeWebcam(roomId, userId, at, limit) {
      const room = webcams.get(roomId);
      if (room?.has(userId)) return 'held';
      if (limit !== null && (room?.size ?? 0) >= limit) return 'full';
      roomOf(webcams, roomId).set(userId, at);
      return 'taken';
    },

    async releaseWebcam(roomId, userId) {
      const room = webcams.get(roomId);
      const released = room?.delete(userId) ?? false;
      if (room?.size === 0) webcams.delete(roomId);
      return released;
    },

    async webcams(roomId) {
      return [...(webcams.get(roomId)?.entries() ?? [])].map(([userId, since]) => ({ userId, since })).sort((a, b) => a.since - b.since);
    },

    async clearWebcams(roomId) {
      webcams.delete(roomId);
    },

    publish(event) {
      bus.emit('event', event);
    },

    subscribe(listener) {
      bus.on('event', listener);
      return () => bus.off('event', listener);
    },
  };
}
