/**
 * Which service.action pairs the emulator answers. Kaltura matches service and
 * action names case-insensitively; kaltura-client sends e.g. "categoryuser"
 * and the metadata plugin's "metadata_metadata" / "metadata_metadataprofile".
 */
import type { ActionDefinition, ServiceActions } from './action-types.ts';
import { categoryActions } from './category-actions.ts';
import { categoryEntryActions } from './category-entry-actions.ts';
import { categoryUserActions } from './category-user-actions.ts';
import { apiError } from './kaltura-errors.ts';
import { mediaActions } from './media-actions.ts';
import { metadataActions, metadataProfileActions } from './metadata-actions.ts';
import { sessionActions } from './session-actions.ts';
import { uploadTokenActions } from './upload-token-actions.ts';
import { userActions } from './user-actions.ts';

const SERVICES: Record<string, ServiceActions> = {
  session: sessionActions,
  user: userActions,
  category: categoryActions,
  categoryuser: categoryUserActions,
  metadata_metadataprofile: metadataProfileActions,
  metadata_metadata: metadataActions,
  uploadtoken: uploadTokenActions,
  media: mediaActions,
  categoryentry: categoryEntryActions,
};

export function findAction(service: string, action: string): ActionDefinition {
  if (!service) throw apiError('SERVICE_NOT_SPECIFIED');
  if (!action) throw apiError('ACTION_NOT_SPECIFIED');
  const actions = Object.hasOwn(SERVICES, service.toLowerCase()) ? SERVICES[service.toLowerCase()] : undefined;
  if (!actions) throw apiError('SERVICE_DOES_NOT_EXISTS', { SRV_NAME: service });
  const definition = Object.hasOwn(actions, action.toLowerCase()) ? actions[action.toLowerCase()] : undefined;
  if (!definition) throw apiError('ACTION_DOES_NOT_EXISTS', { ACTION_NAME: action, SERVICE_NAME: service });
  return definition;
}

