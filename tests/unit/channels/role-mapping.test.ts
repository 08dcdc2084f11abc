import { expect } from 'chai';
import { canStartMeeting, meetingActions, roomAccessFor } from '../../../src/channels/role-mapping.ts';
import { channelLevelFromKaltura } from '../../../src/channels/channel-levels.ts';
import { defaultModuleSettings, roleMappingSchema } from '../../../src/module-settings/settings-schema.ts';
import { ALL_ROOM_PERMISSIONS } from '../../../src/rooms/room-permissions.ts';

const defaults = defaultModuleSettings().roleMapping;

describe('role mapping', () => {
  describe('channelLevelFromKaltura', () => {
    it('names Kaltura permission levels 0 to 3 and treats NONE (4) and unknown values as no membership', () => {
      expect([0, 1, 2, 3, 4, 9].map(channelLevelFromKaltura)).to.deep.equal(['manager', 'moderator', 'contributor', 'member', null, null]);
    });
  });

  describe('#roomAccessFor with the default mapping', () => {
    it('gives Managers and Moderators the instructor role with every permission', () => {
      for (const level of ['manager', 'moderator'] as const) {
        expect(roomAccessFor(level, defaults)).to.deep.equal({ role: 'instructor', permissions: [...ALL_ROOM_PERMISSIONS] });
      }
    });

    it('gives Contributors and Members the participant role without moderation powers', () => {
      for (const level of ['contributor', 'member'] as const) {
        const access = roomAccessFor(level, defaults);
        expect(access.role).to.equal('participant');
        expect(access.permissions).to.include.members(['chat', 'camera', 'microphone', 'raiseHand']);
        expect(access.permissions).to.not.include.any.members(['startSession', 'endSession', 'removeParticipants', 'muteOthers', 'record']);
      }
    });
  });

  describe('#meetingActions', () => {
    it('offers Managers and Moderators one action: Start Meeting, or Join Meeting once a meeting is live', () => {
      expect(meetingActions('manager', defaults, false)).to.deep.equal(['start']);
      expect(meetingActions('moderator', defaults, true)).to.deep.equal(['join']);
    });

    it('offers Join Meeting to Contributors and Members whether or not a meeting is live', () => {
      expect(meetingActions('contributor', defaults, false)).to.deep.equal(['join']);
      expect(meetingActions('member', defaults, true)).to.deep.equal(['join']);
    });

    it('offers nothing to non-members', () => {
      expect(meetingActions(null, defaults, true)).to.deep.equal([]);
      expect(canStartMeeting(null, defaults)).to.equal(false);
    });

    it('follows the administrator: a mapping that lets Contributors start offers them Start Meeting', () => {
      const mapping = roleMappingSchema.parse(defaults.map((entry) => (entry.channelLevel === 'contributor' ? { ...entry, roomRole: 'instructor', permissions: ['startSession', 'chat'] } : entry)));
      expect(meetingActions('contributor', mapping, false)).to.deep.equal(['start']);
      expect(roomAccessFor('contributor', mapping)).to.deep.equal({ role: 'instructor', permissions: ['startSession', 'chat'] });
    });
  });

  describe('roleMappingSchema', () => {
    it('refuses a mapping that leaves a channel level out', () => {
      const result = roleMappingSchema.safeParse(defaults.filter((entry) => entry.channelLevel !== 'member'));
      expect(result.success).to.equal(false);
    });

    it('refuses unknown permissions and roles', () => {
      expect(roleMappingSchema.safeParse(defaults.map((entry) => ({ ...entry, permissions: ['fly'] }))).success).to.equal(false);
      expect(roleMappingSchema.safeParse(defaults.map((entry) => ({ ...entry, roomRole: 'owner' }))).success).to.equal(false);
    });

    it('orders rows by level and permissions by the catalogue, dropping duplicates', () => {
      const shuffled = [...defaults].reverse().map((entry) => ({ ...entry, permissions: [...entry.permissions].reverse().concat(entry.permissions) }));
      expect(roleMappingSchema.parse(shuffled)).to.deep.equal(defaults);
    });
  });
});
