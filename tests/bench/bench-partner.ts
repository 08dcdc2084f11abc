/**
 * The emulated Kaltura partner the benchmark's service runs with. Its secrets
 * are fixed (and worthless outside this benchmark) so the seeder in the parent
 * process can mint KSs the service in the child process will honour.
 */
export const BENCH_PARTNER = {
  id: 4343,
  adminSecret: 'bench-admin-secret-0123456789',
  userSecret: 'bench-user-secret-0123456789',
  /** MediaSpace's user-roles metadata profile, where each user's role is written. */
  roleProfileId: 9001,
} as const;
