import { sql, type Kysely } from 'kysely';

// Courses: the licence count reads rooms by plan; private rooms made before
// course membership was recorded get their owner as instructor, so owners
// find them in the rooms backend as they find the rooms they make from now on.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('rooms_plan').on('rooms').column('plan_id').execute();
  await sql`
    insert into course_members (room_id, user_id, role, source, added_at)
    select rooms.id, rooms.owner_user_id, 'instructor', 'mediaspace', rooms.created_at
    from rooms
    join users on users.id = rooms.owner_user_id
    where rooms.kind = 'private'
      and not exists (select 1 from course_members existing where existing.room_id = rooms.id and existing.user_id = rooms.owner_user_id)
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('rooms_plan').execute();
}
