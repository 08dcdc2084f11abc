/**
 * Inviting people from a CSV file: an administrator uploads a spreadsheet's
 * export (a header line naming the columns email, name, and optionally role
 * and courses), sees what it would create, and confirms. The file is read
 * once: the rows to invite are held here, for their session only and a short
 * while, under a random id the confirmation sends back in its form. Nothing
 * is created before the confirmation, which invites every row in one
 * transaction or none (InvitationsService.invite).
 */
import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { TFunction } from 'i18next';
import type { BackendActor } from '../backend/backend-access.ts';
import { BACKEND_ROLES, type BackendRole } from '../backend/backend-roles.ts';
import { ValidationError } from '../lib/errors/app-error.ts';
import { normaliseEmail } from './account-store.ts';
import { inviteRowSchema, type InvitationOutcome, type InvitationsService } from './invitations-service.ts';
import type { CourseChoice } from './user-directory-store.ts';
import type { UserRecords } from './user-records.ts';

/** People in one file: a school's intake, previewed on one page. */
export const IMPORT_ROWS_MAX = 1000;
/** Bytes of one file: IMPORT_ROWS_MAX lines of a name, an address, a role and a few courses. */
export const IMPORT_FILE_MAX_BYTES = 512 * 1024;
/** How long a preview waits for its confirmation. */
const HELD_MS = 30 * 60_000;
/** Previews held at once, over all administrators: the oldest goes first. */
const HELD_MAX = 50;
/** Between two courses in one cell (a comma or a semicolon may already separate the cells). */
const COURSE_SEPARATOR = '|';
/** What a spreadsheet runs as a formula when the cell is opened again: refused, never stored. */
const FORMULA_START = /^[=+\-@\t\r]/;

type Column = 'email' | 'name' | 'role' | 'courses';
/** Header names, compared without case or accents, in English and French. */
const HEADERS: Record<string, Column> = {
  email: 'email', 'e-mail': 'email', mail: 'email', courriel: 'email', 'adresse e-mail': 'email', 'email address': 'email', adresse: 'email',
  name: 'name', nom: 'name', 'full name': 'name', 'nom complet': 'name',
  role: 'role',
  course: 'courses', courses: 'courses', cours: 'courses',
};

export interface ImportRow {
  line: number;
  name: string;
  email: string;
  role: BackendRole;
  courses: CourseChoice[];
}

export interface ImportProblem {
  line: number;
  message: string;
}

export interface ImportPreview {
  /** Sent back by the confirmation; null when nothing can be invited. */
  id: string | null;
  fileName: string;
  toInvite: ImportRow[];
  /** Lines whose address already has an account: left as they are. */
  alreadyMembers: Array<{ line: number; name: string; email: string }>;
  /** One list, by line. */
  problems: ImportProblem[];
}

interface Held {
  sessionId: string;
  rows: ImportRow[];
  expiresAt: number;
}

export interface InvitationImportDeps {
  records: UserRecords;
  invitations: InvitationsService;
  now: () => number;
}

export class InvitationImport {
  readonly #deps: InvitationImportDeps;
  readonly #held = new Map<string, Held>();

  constructor(deps: InvitationImportDeps) {
    this.#deps = deps;
  }

  /** Reads a file and says what it would create; holds the rows to invite for `sessionId`. Creates nothing. */
  async preview(sessionId: string, fileName: string, bytes: Buffer, t: TFunction): Promise<ImportPreview> {
    const read = readRows(bytes, t);
    const problems = [...read.problems];
    const courses = await this.#deps.records.directory.courseChoices();
    const checked = read.rows.flatMap((cells) => {
      const row = checkRow(cells, courses, t);
      if ('message' in row) problems.push(row);
      return 'message' in row ? [] : [row];
    });

    const existing = new Set((await this.#deps.records.accounts.findByEmails(checked.map((row) => normaliseEmail(row.email)))).map((account) => normaliseEmail(account.email ?? '')));
    const firstLine = new Map<string, number>();
    const toInvite: ImportRow[] = [];
    const alreadyMembers: ImportPreview['alreadyMembers'] = [];
    for (const row of checked) {
      const email = normaliseEmail(row.email);
      const earlier = firstLine.get(email);
      if (earlier !== undefined) problems.push({ line: row.line, message: t('users:import.errors.sameAddress', { line: earlier }) });
      else if (existing.has(email)) alreadyMembers.push({ line: row.line, name: row.name, email: row.email });
      else toInvite.push(row);
      firstLine.set(email, earlier ?? row.line);
    }
    problems.sort((a, b) => a.line - b.line);
    const id = toInvite.length > 0 ? this.#hold(sessionId, toInvite) : null;
    return { id, fileName, toInvite, alreadyMembers, problems };
  }

  /**
   * Invites the rows a preview held for this session, all or none; the preview is used up either way.
   * A preview unknown, expired or of another session is refused, and so is a row that became wrong
   * since (someone took the address meanwhile): its line is named.
   */
  async confirm(actor: BackendActor, sessionId: string, id: string, t: TFunction): Promise<InvitationOutcome[]> {
    const found = this.#held.get(id);
    // Another session's preview stays for its owner; an expired one goes.
    const held = found?.sessionId === sessionId ? found : undefined;
    if (held) this.#held.delete(id);
    if (!held || held.expiresAt <= this.#deps.now()) {
      throw new ValidationError(t('users:import.errors.previewGone'), { file: t('users:import.errors.previewGone') }, { code: 'IMPORT_PREVIEW_GONE' });
    }
    const requests = held.rows.map((row) => ({ name: row.name, email: row.email, role: row.role, courseIds: row.courses.map((course) => course.id) }));
    try {
      return await this.#deps.invitations.invite(actor, requests, t, IMPORT_ROWS_MAX);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // The invitation service names rows by index; the person knows their file's lines.
      const fields = Object.fromEntries(
        Object.entries(error.fields).map(([key, message]) => {
          const index = /^rows\.(\d+)\./.exec(key)?.[1];
          const line = index === undefined ? undefined : held.rows[Number(index)]?.line;
          return [line === undefined ? key : `line.${line}`, message];
        }),
      );
      throw new ValidationError(error.message, fields, { code: 'IMPORT_CHANGED' });
    }
  }

  #hold(sessionId: string, rows: ImportRow[]): string {
    const now = this.#deps.now();
    for (const [key, held] of this.#held) if (held.expiresAt <= now) this.#held.delete(key);
    while (this.#held.size >= HELD_MAX) this.#held.delete(this.#held.keys().next().value!);
    const id = randomBytes(18).toString('base64url');
    this.#held.set(id, { sessionId, rows, expiresAt: now + HELD_MS });
    return id;
  }
}

interface Cells {
  line: number;
  values: Partial<Record<Column, string>>;
}

/** The file's lines as cells by column, or what stops it being read (then no rows at all). */
function readRows(bytes: Buffer, t: TFunction): { rows: Cells[]; problems: ImportProblem[] } {
  const text = decode(bytes);
  const delimiter = guessDelimiter(text);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { delimiter, bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: 10_000 }) as unknown as typeof records;
  } catch (error) {
    const line = Number((error as { lines?: number }).lines) || 1;
    return { rows: [], problems: [{ line, message: t('users:import.errors.malformed') }] };
  }
  const [header, ...lines] = records;
  if (!header) return { rows: [], problems: [{ line: 1, message: t('users:import.errors.empty') }] };
  const columns = header.record.map((cell) => HEADERS[simplify(cell)]);
  if (!columns.includes('email') || !columns.includes('name')) {
    return { rows: [], problems: [{ line: header.info.lines, message: t('users:import.errors.header') }] };
  }
  if (lines.length > IMPORT_ROWS_MAX) {
    return { rows: [], problems: [{ line: lines[IMPORT_ROWS_MAX]!.info.lines, message: t('users:import.errors.tooMany', { max: IMPORT_ROWS_MAX, count: lines.length }) }] };
  }
  if (lines.length === 0) return { rows: [], problems: [{ line: header.info.lines, message: t('users:import.errors.empty') }] };
  return {
    rows: lines.map(({ record, info }) => ({
      line: info.lines,
      values: Object.fromEntries(columns.flatMap((column, index) => (column && record[index] !== undefined ? [[column, record[index]]] : []))),
    })),
    problems: [],
  };
}

/** UTF-8 (with or without its BOM); else Windows-1252, what a French spreadsheet writes as plain "CSV". */
function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** A semicolon where the header has more of them than commas (spreadsheets in French and other locales). */
function guessDelimiter(text: string): ',' | ';' {
  const header = text.slice(0, text.search(/\r?\n|$/));
  return (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** Lower case, without accents or surrounding spaces: "Rôle " and "role" are one header. */
function simplify(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase();
}

/** One line as an invitation, or the first thing wrong with it. */
function checkRow({ line, values }: Cells, courses: CourseChoice[], t: TFunction): ImportRow | ImportProblem {
  for (const column of ['name', 'email', 'role', 'courses'] as const) {
    const value = values[column] ?? '';
    if (FORMULA_START.test(value)) return { line, message: t('users:import.errors.formula', { column: t(`users:import.columns.${column}`), start: value[0]!.trim() || value[0] }) };
  }
  const role = roleOf(values.role ?? '', t);
  if (!role) return { line, message: t('users:import.errors.role', { role: values.role, roles: BACKEND_ROLES.join(', ') }) };
  const chosen: CourseChoice[] = [];
  for (const wanted of (values.courses ?? '').split(COURSE_SEPARATOR).map((name) => name.trim()).filter(Boolean)) {
    const matches = courses.filter((course) => course.id === wanted || simplify(course.name) === simplify(wanted));
    if (matches.length !== 1) return { line, message: t(matches.length === 0 ? 'users:import.errors.courseUnknown' : 'users:import.errors.courseAmbiguous', { course: wanted }) };
    if (!chosen.includes(matches[0]!)) chosen.push(matches[0]!);
  }
  const result = inviteRowSchema(t).safeParse({ name: values.name ?? '', email: values.email ?? '', role, courseIds: [] });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return { line, message: `${t(`users:import.columns.${String(issue.path[0])}`)}: ${issue.message}` };
  }
  return { line, name: result.data.name, email: result.data.email, role, courses: chosen };
}

/** The feminine forms a French file may use, beside the labels the product shows. */
const FRENCH_FEMININE: Record<string, BackendRole> = { etudiante: 'student', formatrice: 'instructor', administratrice: 'administrator' };

/** A role by its key or its label in English or French; empty is a student. */
function roleOf(text: string, t: TFunction): BackendRole | null {
  const wanted = simplify(text);
  if (wanted === '') return 'student';
  return BACKEND_ROLES.find((role) => role === wanted || ['en', 'fr'].some((lng) => simplify(t(`common:roles.${role}`, { lng })) === wanted)) ?? FRENCH_FEMININE[wanted] ?? null;
}
