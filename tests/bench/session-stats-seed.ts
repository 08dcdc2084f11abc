/**
 * The Session Stats benchmark's data: 10,000 ended live sessions in 50 courses
 * over a year, 100 attendance intervals each (1,000,000 rows), ten chat lines
 * each and 30 enrolled students per course. One list of rows, written straight
 * into SQLite (prepared statements, one transaction) or PostgreSQL (multi-row
 * INSERTs in batches): the service's own stores would take minutes for a million.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import pg from 'pg';

export const SHAPE = { courses: 50, sessions: 10_000, intervalsPerSession: 100, chatPerSession: 10, studentsPerCourse: 30 } as const;
const DAY = 86_400_000;
/** Interval rows 0..59 are enrolled students (some twice: a rejoin), the rest guests. */
const FIRST_GUEST = 60;

export interface Seeded {
  sessionIds: string[];
  roomIds: string[];
  seconds: number;
}

type Value = string | number | null;
type Table = keyof typeof COLUMNS;

// In the order rows must reach the database (foreign keys).
const COLUMNS = {
  rooms: ['id', 'kind', 'name', 'channel_id', 'owner_user_id', 'capacity', 'created_at', 'updated_at'],
  users: ['id', 'name', 'email', 'mediaspace_role', 'source', 'first_seen_at', 'last_seen_at'],
  course_members: ['room_id', 'user_id', 'role', 'source', 'added_at'],
  live_sessions: ['id', 'room_id', 'started_by', 'started_at', 'ended_at', 'ended_by', 'end_reason'],
  attendance: ['id', 'live_session_id', 'room_id', 'user_id', 'user_name', 'user_email', 'role', 'joined_at', 'left_at', 'last_seen_at'],
  chat_messages: ['id', 'live_session_id', 'room_id', 'user_id', 'user_name', 'role', 'text', 'sent_at', 'deleted_at', 'deleted_by'],
} as const;
const TABLES = Object.keys(COLUMNS) as Table[];

/** Every row of the benchmark's data, table by table in foreign-key order within each session. */
function* rows(yearStart: number, ids: { sessionIds: string[]; roomIds: string[] }): Generator<[Table, Value[]]> {
  const { courses, sessions, intervalsPerSession, chatPerSession, studentsPerCourse } = SHAPE;
  for (let index = 0; index < courses; index++) ids.roomIds.push(randomUUID());
  const students = ids.roomIds.map(() => Array.from({ length: studentsPerCourse }, (_, index) => ({ id: `mediaspace:bench-${randomUUID()}`, name: `Student ${index}` })));
  const user = (id: string, name: string): [Table, Value[]] => ['users', [id, name, null, 'viewerRole', 'mediaspace', yearStart, yearStart]];
  for (const [index, id] of ids.roomIds.entries()) {
    yield ['rooms', [id, 'private', `Course ${String(index + 1).padStart(2, '0')}`, null, 'bench', null, yearStart, yearStart]];
    for (const student of students[index]!) {
      yield user(student.id, student.name);
      yield ['course_members', [id, student.id, 'student', 'backend', yearStart]];
    }
  }
  for (let person = FIRST_GUEST; person < intervalsPerSession; person++) yield user(`mediaspace:guest-${person}`, `Guest ${person}`);
  for (let index = 0; index < sessions; index++) {
    const id = randomUUID();
    ids.sessionIds.push(id);
    const roomIndex = index % courses;
    const roomId = ids.roomIds[roomIndex]!;
    const startedAt = yearStart + Math.floor((index / sessions) * 364 * DAY);
    const endedAt = startedAt + 3600_000;
    yield ['live_sessions', [id, roomId, 'bench', startedAt, endedAt, 'bench', 'ended-by-instructor']];
    yield ['attendance', [randomUUID(), id, roomId, 'bench-instructor', 'Ines Instructor', 'ines@bench.test', 'instructor', startedAt, endedAt, endedAt]];
    for (let person = 1; person < intervalsPerSession; person++) {
      const student = students[roomIndex]![person % studentsPerCourse]!;
      const guest = person >= FIRST_GUEST;
      const joinedAt = startedAt + (person % 20) * 60_000;
      yield ['attendance', [randomUUID(), id, roomId, guest ? `mediaspace:guest-${person}` : student.id, guest ? `Guest ${person}` : student.name, null, 'participant', joinedAt, endedAt - (person % 7) * 60_000, endedAt]];
    }
    for (let line = 0; line < chatPerSession; line++) {
      const student = students[roomIndex]![line]!;
      yield ['chat_messages', [randomUUID(), id, roomId, student.id, student.name, 'participant', `Message ${line}`, startedAt + line * 60_000, null, null]];
    }
  }
}

const insertSql = (table: Table, rowCount: number, placeholder: (index: number) => string) => {
  const columns = COLUMNS[table];
  const values = Array.from({ length: rowCount }, (_, row) => `(${columns.map((_, column) => placeholder(row * columns.length + column + 1)).join(', ')})`);
  return `insert into ${table} (${columns.join(', ')}) values ${values.join(', ')}`;
};

const secondsSince = (started: number) => Math.round((performance.now() - started) / 100) / 10;

/** Into the service's SQLite file, in one transaction, then ANALYZE. */
export function seedSqlite(file: string, yearStart: number): Seeded {
  const started = performance.now();
  const ids = { sessionIds: [] as string[], roomIds: [] as string[] };
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  const statements = Object.fromEntries(TABLES.map((table) => [table, db.prepare(insertSql(table, 1, () => '?'))]));
  db.transaction(() => {
    for (const [table, row] of rows(yearStart, ids)) statements[table]!.run(...row);
  })();
  db.exec('analyze');
  db.close();
  return { ...ids, seconds: secondsSince(started) };
}

/** Rows per INSERT: 1,000 rows of 10 columns stay well under PostgreSQL's 65,535 parameters. */
const BATCH = 1000;

/** Into the PostgreSQL schema `url` points at (its search_path), in batches, then ANALYZE. */
export async function seedPostgres(url: string, yearStart: number): Promise<Seeded> {
  const started = performance.now();
  const ids = { sessionIds: [] as string[], roomIds: [] as string[] };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const pending = Object.fromEntries(TABLES.map((table) => [table, [] as Value[][]])) as Record<Table, Value[][]>;
    // Every table is flushed in foreign-key order whenever one batch is full, so no row precedes its parent.
    const flush = async () => {
      for (const table of TABLES) {
        const batch = pending[table];
        if (batch.length === 0) continue;
        await client.query(insertSql(table, batch.length, (index) => `$${index}`), batch.flat());
        pending[table] = [];
      }
    };
    for (const [table, row] of rows(yearStart, ids)) {
      pending[table].push(row);
      if (pending[table].length === BATCH) await flush();
    }
    await flush();
    await client.query('analyze');
  } finally {
    await client.end();
  }
  return { ...ids, seconds: secondsSince(started) };
}
