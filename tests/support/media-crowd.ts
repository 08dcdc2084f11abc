/**
 * Many people sending cameras into one channel room, from Node: each joins as
 * a channel member through the real launch, holds a room socket and publishes
 * a werift peer's offer (audio and video sections, connected to the media
 * server, no frames). Enough of them to fill more than a page of tiles.
 */
import { LEVEL } from './kaltura-seed.ts';
import { MediaPeer } from './media-peer.ts';
import { RoomClient } from './room-client.ts';
import { signIn, type TestServer } from './test-server.ts';
import type { BackendPerson } from './courses.ts';

/** A few at a time: the machine is shared, and each join is a launch (Kaltura calls), a socket and a DTLS handshake. */
const BATCH = 3;

export interface CrowdMember {
  client: RoomClient;
  peer: MediaPeer;
  participantId: string;
  name: string;
}

/** `count` people join the live meeting of the channel and publish a camera; answers them once every feed is connected. */
export async function publishingCrowd(server: TestServer, channelId: number, count: number, namePrefix = 'Crowd'): Promise<CrowdMember[]> {
  const join = async (index: number): Promise<CrowdMember> => {
    const name = `${namePrefix} ${String(index + 1).padStart(2, '0')}`;
    const user = await server.kaltura.createUser({ role: 'viewerRole', name });
    await server.kaltura.addMember(channelId, user.id, LEVEL.contributor);
    const agent = await signIn(server, user.id);
    await agent.get(`/channels/${channelId}/meeting`);
    const response = await agent.post(`/channels/${channelId}/meeting/join`, {}, { accept: 'application/json' });
    if (response.status !== 200) throw new Error(`joining answered ${response.status}: ${response.text.slice(0, 200)}`);
    const client = await RoomClient.launch(agent, response.json().launchUrl as string);
    const welcome = await client.next('welcome');
    const peer = await MediaPeer.offering({ audio: true, video: true });
    await peer.publish(client);
    return { client, peer, participantId: welcome.you.participantId as string, name };
  };
  return inBatches(count, join);
}

/** Course members (backend accounts) enter its live room and publish a camera each. */
export async function publishingInCourse(people: BackendPerson[], launchUrl: (person: BackendPerson) => Promise<string>): Promise<CrowdMember[]> {
  const join = async (index: number): Promise<CrowdMember> => {
    const person = people[index]!;
    const client = await RoomClient.launch(person.agent, await launchUrl(person));
    const welcome = await client.next('welcome');
    const peer = await MediaPeer.offering({ audio: true, video: true });
    await peer.publish(client);
    return { client, peer, participantId: welcome.you.participantId as string, name: person.name };
  };
  return inBatches(people.length, join);
}

async function inBatches(count: number, join: (index: number) => Promise<CrowdMember>): Promise<CrowdMember[]> {
  const members: CrowdMember[] = [];
  for (let start = 0; start < count; start += BATCH) {
    members.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, count - start) }, (_, offset) => join(start + offset)))));
  }
  return members;
}

export async function dismissCrowd(members: CrowdMember[]): Promise<void> {
  for (const member of members) member.client.socket.terminate();
  await Promise.all(members.map((member) => member.peer.close()));
}
