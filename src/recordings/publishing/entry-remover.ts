/**
 * Deletes a recording's Kaltura entry, for Session Stats' "delete the Kaltura
 * entry too" (part P). An entry Kaltura no longer has counts as deleted.
 */
import type { KalturaMediaGateway } from '../../kaltura/kaltura-media-gateway.ts';

export interface RecordingEntryRemover {
  deleteEntry(entryId: string): Promise<void>;
}

export function createRecordingEntryRemover(gateway: Pick<KalturaMediaGateway, 'deleteMediaEntry'>): RecordingEntryRemover {
  return { deleteEntry: (entryId) => gateway.deleteMediaEntry(entryId) };
}
