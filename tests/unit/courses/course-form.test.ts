import { expect } from 'chai';
import type { TFunction } from 'i18next';
import { loadConfig } from '../../../src/lib/config/config.ts';
import { ValidationError } from '../../../src/lib/errors/app-error.ts';
import { loadTranslations } from '../../../src/lib/i18n/i18n.ts';
import { formValues, parseCourseForm } from '../../../src/courses/course-form.ts';
import { PlanCatalogue } from '../../../src/courses/plan-catalogue.ts';

const plans = new PlanCatalogue(loadConfig({ environment: { NODE_ENV: 'test' } }).plans);
const form = (fields: Record<string, unknown> = {}) => ({ name: 'Algebra', plan: 'inactive', summary: 'Short', description: 'Longer', ...fields });

function problems(t: TFunction, body: unknown, kind: 'course' | 'channel' = 'course'): Record<string, string> {
  try {
    parseCourseForm(t, plans, { kind, editing: false }, body);
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  return {};
}

describe('parseCourseForm', () => {
  let t: TFunction;
  before(async () => {
    t = (await loadTranslations('en')).forLanguage('en');
  });

  it('trims and tidies the name, and keeps line breaks of the description as single characters', () => {
    const { input } = parseCourseForm(t, plans, { kind: 'course', editing: false }, form({ name: '  Bill’s \t Math  ', description: ' one\r\ntwo ' }));
    expect(input).to.include({ name: 'Bill’s Math', description: 'one\ntwo', planId: 'inactive' });
  });

  it('names each field with its problem, in the person\'s words', () => {
    expect(problems(t, form({ name: '', summary: 's'.repeat(151), description: 'd'.repeat(501), plan: 'gold' }))).to.deep.equal({
      name: 'this is required',
      summary: 'must be at most 150 characters',
      description: 'must be at most 500 characters',
      plan: 'is not a plan of the catalogue',
    });
    expect(problems(t, form({ name: 'Zero\u200bwidth' }))).to.deep.equal({ name: 'must not contain invisible characters' });
  });

  it('lets a MediaSpace room go without summary, description and plan; a course needs them', () => {
    expect(problems(t, form({ summary: '', description: '', plan: '' }), 'channel')).to.deep.equal({});
    expect(problems(t, form({ summary: '', plan: '' }))).to.have.keys(['summary', 'plan']);
  });

  it('reads members from the form\'s selects and from JSON, the last choice for a person winning', () => {
    const fromForm = parseCourseForm(t, plans, { kind: 'course', editing: false }, form({ membersShown: '1', member: ['instructor:u1', '', 'student:u2', 'student:u1'] }));
    expect(fromForm.input.members).to.deep.equal([{ userId: 'u1', role: 'student' }, { userId: 'u2', role: 'student' }]);
    const fromJson = parseCourseForm(t, plans, { kind: 'course', editing: false }, form({ members: [{ userId: 'u3', role: 'instructor' }] }));
    expect(fromJson.input.members).to.deep.equal([{ userId: 'u3', role: 'instructor' }]);
    expect(parseCourseForm(t, plans, { kind: 'course', editing: false }, form()).input).not.to.have.property('members');
    expect(problems(t, form({ membersShown: '1', member: 'teacher:u1' }))).to.deep.equal({ members: 'names someone who is not in the system, or was deactivated' });
  });

  it('reads a custom plan\'s limits only for a plan with custom limits', () => {
    const limits = { webcamUsers: '12', virtualClassrooms: '1', cloudRecordingHours: '2.5', selfPacedCourses: '0' };
    expect(parseCourseForm(t, plans, { kind: 'course', editing: false }, form({ plan: 'smart_custom', ...limits })).input.planLimits).to.deep.equal({ webcamUsers: 12, virtualClassrooms: 1, cloudRecordingHours: 2.5, selfPacedCourses: 0 });
    expect(parseCourseForm(t, plans, { kind: 'course', editing: false }, form({ plan: 'smart_15', ...limits })).input).not.to.have.property('planLimits');
    expect(problems(t, form({ plan: 'smart_custom', ...limits, webcamUsers: '1.5', selfPacedCourses: 'many' }))).to.deep.equal({ webcamUsers: 'must be a whole number', selfPacedCourses: 'must be a number' });
  });

  it('needs the version it was edited on', () => {
    expect(() => parseCourseForm(t, plans, { kind: 'course', editing: true }, form())).to.throw(ValidationError);
    expect(parseCourseForm(t, plans, { kind: 'course', editing: true }, form({ version: '4' })).version).to.equal(4);
  });
});

describe('formValues', () => {
  it('starts a new course on the inactive plan with the custom plan\'s defaults, and shows back what was sent', () => {
    const fresh = formValues(plans, null, null);
    expect(fresh).to.deep.include({ name: '', plan: 'inactive' });
    expect(fresh.limits).to.deep.equal({ webcamUsers: '50', virtualClassrooms: '1', cloudRecordingHours: '10', selfPacedCourses: '5' });
    const sent = formValues(plans, null, { name: 'Typed', summary: 'a\r\nb', membersShown: '1', member: ['student:u9', ''] });
    expect(sent).to.deep.include({ name: 'Typed', summary: 'a\nb', members: { u9: 'student' } });
  });
});
