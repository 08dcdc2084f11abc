/**
 * Deleting a recording's Kaltura entry, asked for on the delete confirmation.
 * The publishing part (src/recordings/publishing) implements it through the
 * KalturaGateway; the library only names what it needs.
 */
import { UpstreamError } from '../../lib/errors/app-error.ts';
import { phrase } from '../../lib/i18n/phrase.ts';

export interface RecordingEntryRemover {
  /** Deletes the media entry; an entry already gone is no error. Throws an AppError Kaltura's failures become. */
  deleteEntry(entryId: string): Promise<void>;
}

/** Until publishing is wired in: a request to delete an entry is refused with a reason, and nothing is deleted. */
export const entryRemovalUnavailable: RecordingEntryRemover = {
  async deleteEntry() {
    throw new UpstreamError(phrase('recordings-library:errors.entryRemovalUnavailable'), { code: 'ENTRY_REMOVAL_UNAVAILABLE', help: phrase('recordings-library:errors.entryRemovalUnavailableHelp') });
  },
};
