/**
 * user.add / get / list / update.
 */
import { adminAction, userAction, type ServiceActions, type SessionCall } from './action-types.ts';
import { UserStatus, type PartnerData, type UserRecord } from './emulator-state.ts';
import { apiError } from './kaltura-errors.ts';
import { filterPagerSchema, userFilterSchema, userObjectSchema, type UserFilter, type UserInput } from './kaltura-schemas.ts';
import { containsIgnoringCase, equalsWhenGiven, listResponse, startsWithIgnoringCase, startsWithWhenGiven, within, type ListResponse, type OrderFields } from './list-response.ts';
import { csvIntegers, csvValues, readObject, readString, requireObject, requireProperty, requireString } from './param-readers.ts';

export type KalturaUser = UserRecord & { objectType: 'KalturaUser' };

export const userActions: ServiceActions = {
  add: adminAction(addUser),
  get: userAction(getUser, { widget: true }),
  list: adminAction(listUsers),
  update: adminAction(updateUser),
};

export function toKalturaUser(record: UserRecord): KalturaUser {
  return { ...record, objectType: 'KalturaUser' };
}

function addUser({ params, data, nowSeconds }: SessionCall): KalturaUser {
  const input = requireObject(params, 'user', ['KalturaUser'], userObjectSchema);
  const id = requireProperty(input.id, 'KalturaUser', 'id');
  if (data.users.has(id)) throw apiError('DUPLICATE_USER_BY_ID', { UID: id });
  const record: UserRecord = {
    id,
    partnerId: data.partner.id,
    type: 0,
    screenName: input.screenName ?? id,
    fullName: '',
    isAdmin: input.isAdmin ?? false,
    status: input.status ?? UserStatus.ACTIVE,
    createdAt: nowSeconds,
    updatedAt: nowSeconds,
  };
  applyUserInput(record, input);
  data.users.set(id, record);
  return toKalturaUser(record);
}

/** Without userId, the session's own user; a USER KS may only read its own user. */
function getUser({ params, data, session }: SessionCall): KalturaUser {
  const userId = readString(params, 'userId') || session.userId;
  if (!session.isAdmin && userId !== session.userId) {
    throw apiError('CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION', { USER_ID: userId });
  }
  return toKalturaUser(findUser(data, userId));
}

function listUsers({ params, data }: SessionCall): ListResponse<KalturaUser> {
  const filter = readObject(params, 'filter', ['KalturaUserFilter'], userFilterSchema) ?? {};
  const pager = readObject(params, 'pager', ['KalturaFilterPager'], filterPagerSchema);
  const matches = [...data.users.values()].filter((user) => matchesUserFilter(user, filter)).map(toKalturaUser);
  return listResponse('KalturaUserListResponse', matches, pager, { orderBy: filter.orderBy, fields: USER_ORDERS });
}

function updateUser({ params, data, nowSeconds }: SessionCall): KalturaUser {
  const userId = requireString(params, 'userId');
  const input = requireObject(params, 'user', ['KalturaUser'], userObjectSchema);
  const record = findUser(data, userId);
  applyUserInput(record, input);
  if (input.screenName !== undefined) record.screenName = input.screenName;
  if (input.isAdmin !== undefined) record.isAdmin = input.isAdmin;
  if (input.status !== undefined) record.status = input.status;
  record.updatedAt = nowSeconds;
  return toKalturaUser(record);
}

function findUser(data: PartnerData, userId: string): UserRecord {
  const record = data.users.get(userId);
  if (!record || record.status === UserStatus.DELETED) throw apiError('INVALID_USER_ID');
  return record;
}

function applyUserInput(record: UserRecord, input: UserInput): void {
  if (input.email !== undefined) record.email = input.email;
  if (input.partnerData !== undefined) record.partnerData = input.partnerData;
  if (input.description !== undefined) record.description = input.description;
  if (input.tags !== undefined) record.tags = input.tags;
  applyNames(record, input);
}

/** Kaltura keeps fullName as "first last"; a lone fullName is split at its first space. */
function applyNames(record: UserRecord, input: UserInput): void {
  if (input.firstName !== undefined || input.lastName !== undefined) {
    record.firstName = input.firstName ?? record.firstName;
    record.lastName = input.lastName ?? record.lastName;
    record.fullName = [record.firstName, record.lastName].filter(Boolean).join(' ');
  } else if (input.fullName !== undefined) {
    const fullName = input.fullName.trim();
    const space = fullName.indexOf(' ');
    record.firstName = space < 0 ? fullName : fullName.slice(0, space);
    record.lastName = space < 0 ? undefined : fullName.slice(space + 1);
    record.fullName = fullName;
  }
}

/** KalturaUserBaseFilter's order map. */
const USER_ORDERS: OrderFields<UserRecord> = { id: (user) => user.id, createdAt: (user) => user.createdAt, updatedAt: (user) => user.updatedAt };

/** Deleted users only show when a status filter asks for them. */
function matchesUserFilter(user: UserRecord, filter: UserFilter): boolean {
  const statusFiltered = filter.statusEqual !== undefined || filter.statusIn !== undefined;
  return (
    (statusFiltered || user.status !== UserStatus.DELETED) &&
    equalsWhenGiven(filter.idEqual, user.id) &&
    within(csvValues(filter.idIn), user.id) &&
    (filter.screenNameLike === undefined || containsIgnoringCase(user.screenName, filter.screenNameLike)) &&
    (filter.emailLike === undefined || containsIgnoringCase(user.email, filter.emailLike)) &&
    startsWithWhenGiven(filter.screenNameStartsWith, user.screenName) &&
    startsWithWhenGiven(filter.emailStartsWith, user.email) &&
    startsWithWhenGiven(filter.firstNameStartsWith, user.firstName) &&
    startsWithWhenGiven(filter.lastNameStartsWith, user.lastName) &&
    (filter.firstNameOrLastNameStartsWith === undefined ||
      startsWithIgnoringCase(user.firstName, filter.firstNameOrLastNameStartsWith) ||
      startsWithIgnoringCase(user.lastName, filter.firstNameOrLastNameStartsWith)) &&
    matchesNullableBoolean(filter.isAdminEqual, user.isAdmin) &&
    equalsWhenGiven(filter.statusEqual, user.status) &&
    within(csvIntegers(filter.statusIn), user.status)
  );
}

function matchesNullableBoolean(expected: number | undefined, value: boolean): boolean {
  return expected === undefined || expected === -1 || expected === Number(value);
}
