/**
 * A refusal of something a person asked for in the room. The sender sees it as an `error` message,
 * said in their language; everyone else sees nothing.
 */
import { inEnglish } from '../lib/i18n/i18n.ts';
import { say, type Text } from '../lib/i18n/phrase.ts';

export class RoomActionError extends Error {
  readonly code: string;
  /** The words as given, before they are put into the person's language (`message` reads in English). */
  readonly text: Text;
  constructor(code: string, message: Text) {
    super(say(inEnglish(), message));
    this.code = code;
    this.text = message;
  }
}
