import { describe, expect, it } from 'vitest';
import {
  checkAllergy,
  checkBloodGroup,
  checkCondition,
  checkFamilyHistory,
  checkHospitalisation,
  checkLifestyle,
  checkNotBeforeBirth,
  checkTreatment,
  dateSpan,
  datesOf,
  todayIn,
} from './health-history-validation.ts';
import type { Checked } from './health-history-validation.ts';

const TODAY = '2026-03-10';
const fields = <T>(c: Checked<T>): string[] => ('problems' in c ? c.problems.map((p) => p.field) : []);
const ok = <T>(c: Checked<T>): T => {
  if ('problems' in c) throw new Error(JSON.stringify(c.problems));
  return c.ok;
};

describe('dates', () => {
  it('spans partial dates and refuses impossible ones', () => {
    expect(dateSpan('1995')).toEqual({ first: '1995-01-01', last: '1995-12-31' });
    expect(dateSpan('2024-02')).toEqual({ first: '2024-02-01', last: '2024-02-29' });
    expect(dateSpan('2023-02')).toEqual({ first: '2023-02-01', last: '2023-02-28' });
    expect(dateSpan('2026-03-10')).toEqual({ first: '2026-03-10', last: '2026-03-10' });
    for (const bad of ['2023-02-29', '2026-13', '2026-00-10', '2026-04-31', '26-01-01', '2026/01/01', '']) expect(dateSpan(bad), bad).toBeNull();
  });

  it('today is the Paris calendar day', () => {
    expect(todayIn(new Date('2026-03-10T23:30:00Z'))).toBe('2026-03-11');
    expect(todayIn(new Date('2026-03-10T12:00:00Z'))).toBe('2026-03-10');
  });

  it('refuses the future, before 1900, and an end before its start (partial dates may overlap)', () => {
    expect(fields(checkHospitalisation({ reason: 'Appendicite', startDate: '2026-03-11' }, TODAY))).toEqual(['body.startDate']);
    expect(fields(checkHospitalisation({ reason: 'Appendicite', startDate: '2026-04' }, TODAY))).toEqual(['body.startDate']);
    ok(checkHospitalisation({ reason: 'Appendicite', startDate: '2026-03' }, TODAY)); // this month: not in the future
    expect(fields(checkHospitalisation({ reason: 'Appendicite', startDate: '1899' }, TODAY))).toEqual(['body.startDate']);
    expect(fields(checkHospitalisation({ reason: 'x', startDate: '2020-05-10', endDate: '2020-05-09' }, TODAY))).toEqual(['body.endDate']);
    ok(checkHospitalisation({ reason: 'x', startDate: '2020-05-10', endDate: '2020-05' }, TODAY));
    expect(fields(checkTreatment({ medication: 'X', ongoing: false, startDate: '2021', endDate: '2020-12-31' }, TODAY))).toEqual(['body.endDate']);
    expect(fields(checkCondition({ kind: 'disease', label: 'X', status: 'resolved', onsetDate: '2020-02-30' }, TODAY))).toEqual(['body.onsetDate']);
  });

  it('finds dates before birth', () => {
    const dates = datesOf('conditions', { kind: 'disease', label: 'X', status: 'resolved', onsetDate: '1984', resolvedDate: '1985-04' });
    expect(dates).toEqual([
      ['onsetDate', '1984'],
      ['resolvedDate', '1985-04'],
    ]);
    expect(checkNotBeforeBirth(dates, '1985-04-12')).toEqual([{ field: 'body.onsetDate', reason: "is before the patient's birth (1985-04-12)" }]);
    expect(datesOf('familyHistory', { condition: 'x', relation: 'MTH' })).toEqual([]);
  });
});

describe('sections', () => {
  it('cleans texts and drops empty optional ones; refuses empty required ones and control characters', () => {
    expect(ok(checkCondition({ kind: 'disease', label: '  Diabète   de type 2 ', status: 'active', note: ' ligne 1\r\nligne 2 ', cim10: ' e11.9 ' }, TODAY))).toEqual({
      kind: 'disease',
      label: 'Diabète de type 2',
      status: 'active',
      cim10: 'E11.9',
      note: 'ligne 1\nligne 2',
    });
    expect(fields(checkCondition({ kind: 'disease', label: '   ', status: 'active' }, TODAY))).toEqual(['body.label']);
    expect(fields(checkCondition({ kind: 'disease', label: 'a\u0007b', status: 'active' }, TODAY))).toEqual(['body.label']);
    expect(ok(checkTreatment({ medication: 'Doliprane', ongoing: true, dosage: '  ' }, TODAY))).toEqual({ medication: 'Doliprane', ongoing: true });
  });

  it('checks codes: CIM-10 and ATC formats', () => {
    for (const cim10 of ['E11', 'E11.9', 'J45.0', 'Z51.01']) ok(checkCondition({ kind: 'disease', label: 'x', status: 'active', cim10 }, TODAY));
    for (const cim10 of ['11.9', 'EE1', 'E11.', 'E11.99999']) expect(fields(checkCondition({ kind: 'disease', label: 'x', status: 'active', cim10 }, TODAY)), cim10).toEqual(['body.cim10']);
    for (const atc of ['A', 'A10', 'A10B', 'A10BA', 'a10ba02']) ok(checkTreatment({ medication: 'x', ongoing: true, atc }, TODAY));
    for (const atc of ['10', 'A1', 'A10B1', 'A10BA2']) expect(fields(checkTreatment({ medication: 'x', ongoing: true, atc }, TODAY)), atc).toEqual(['body.atc']);
  });

  it('refuses fields that contradict each other', () => {
    expect(fields(checkCondition({ kind: 'disease', label: 'x', status: 'active', resolvedDate: '2020' }, TODAY))).toEqual(['body.resolvedDate']);
    expect(fields(checkTreatment({ medication: 'x', ongoing: true, endDate: '2020' }, TODAY))).toEqual(['body.endDate']);
    expect(fields(checkAllergy({ substance: 'Arachide', type: 'allergy', category: 'food', severity: 'severe' }, TODAY))).toEqual(['body.severity']);
    ok(checkAllergy({ substance: 'Arachide', type: 'allergy', category: 'food', reaction: 'Œdème de Quincke', severity: 'severe' }, TODAY));
    ok(checkFamilyHistory({ condition: 'Cancer du sein', relation: 'MTH', ageAtOnset: 52 }, TODAY));
  });

  it('blood group: dated today unless said otherwise, never in the future', () => {
    expect(ok(checkBloodGroup({ abo: 'AB', rh: 'negative' }, TODAY))).toEqual({ abo: 'AB', rh: 'negative', statedOn: TODAY });
    expect(fields(checkBloodGroup({ abo: 'O', rh: 'positive', statedOn: '2026-03-11' }, TODAY))).toEqual(['body.statedOn']);
    expect(fields(checkBloodGroup({ abo: 'O', rh: 'positive', statedOn: '2026-02-30' }, TODAY))).toEqual(['body.statedOn']);
  });

  it('lifestyle: something to say, details that fit the status, one main diet', () => {
    expect(fields(checkLifestyle({}, TODAY))).toEqual(['body.tobacco']);
    expect(ok(checkLifestyle({ tobacco: { status: 'current', cigarettesPerDay: 10 }, diet: { kinds: ['vegetarian', 'gluten_free'] } }, TODAY))).toEqual({
      tobacco: { status: 'current', cigarettesPerDay: 10 },
      diet: { kinds: ['vegetarian', 'gluten_free'] },
      statedOn: TODAY,
    });
    expect(fields(checkLifestyle({ tobacco: { status: 'never', cigarettesPerDay: 10 } }, TODAY))).toEqual(['body.tobacco.cigarettesPerDay']);
    expect(fields(checkLifestyle({ tobacco: { status: 'former', quitYear: 2027 } }, TODAY))).toEqual(['body.tobacco.quitYear']);
    expect(fields(checkLifestyle({ tobacco: { status: 'current', quitYear: 2020 } }, TODAY))).toEqual(['body.tobacco.quitYear']);
    expect(fields(checkLifestyle({ alcohol: { status: 'never', drinksPerWeek: 3 } }, TODAY))).toEqual(['body.alcohol.drinksPerWeek']);
    expect(fields(checkLifestyle({ diet: { kinds: ['vegan', 'omnivore'] } }, TODAY))).toEqual(['body.diet.kinds']);
  });
});
