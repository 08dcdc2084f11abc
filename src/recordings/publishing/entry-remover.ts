/**
 * Deletes a recording's Kaltura entry, for Session Stats' "delete the Kaltura
 * entry too" (part P). An entry Kaltura no longer has counts as deleted.
 */
import type { KalturaMediaGateway } from '../../kaltura/kaltura-media-gateway.ts';
import type { RecordingEntryRemover } from '../library/recording-entry-remover.ts';

export function createRecordingEntryRemover(gateway: Pick<KalturaMediaGateway, 'deleteMediaEntry'>): RecordingEntryRemover {
  return { deleteEntry: (entryId) => gateway.deleteMediaEntry(entryId) };
}
