/**
 * Deleting a recording's Kaltura entry, asked for on the delete confirmation.
 * The publishing part implements it through the KalturaGateway
 * (src/recordings/publishing/entry-remover.ts); the library only names what it needs.
 */
export interface RecordingEntryRemover {
  /** Deletes the media entry; an entry already gone is no error. Throws an AppError Kaltura's failures become. */
  deleteEntry(entryId: string): Promise<void>;
}
