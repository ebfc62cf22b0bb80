import { beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { ManualClock } from '../platform/clock.ts';
import { DEMO_PROFESSIONALS, findProfessional, loadDemoDirectory } from '../identity/index.ts';
import type { Professional } from '../identity/index.ts';
import type { Db } from '../storage/index.ts';
import { idNatPsOfSubject, nationalIdOf, pscSubject, pscUserinfo } from './oidc-claims.ts';

describe('PSC subject of the development provider', () => {
  it('is stable, shaped like PSC\'s, not the national id itself, and gives the national id back', () => {
    const sub = pscSubject(DEMO_PROFESSIONALS.generalPractitioner);
    expect(sub).toMatch(/^f:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}:899900000011$/);
    expect(pscSubject(DEMO_PROFESSIONALS.generalPractitioner)).toBe(sub);
    expect(pscSubject(DEMO_PROFESSIONALS.nurse)).not.toBe(sub);
    expect(idNatPsOfSubject(sub)).toBe(DEMO_PROFESSIONALS.generalPractitioner);
    expect(idNatPsOfSubject('899900000011')).toBeNull();
    expect(idNatPsOfSubject(`${sub}0`)).toBeNull();
  });
});

describe('nationalIdOf (relying party)', () => {
  it('reads SubjectNameID, else preferred_username, and refuses when they disagree or are missing', () => {
    expect(nationalIdOf({ SubjectNameID: '899900000011', preferred_username: '899900000011' })).toEqual({ ok: true, value: '899900000011' });
    expect(nationalIdOf({ preferred_username: ' 899900000011 ' })).toEqual({ ok: true, value: '899900000011' });
    expect(nationalIdOf({ SubjectNameID: '899900000011', preferred_username: '899900000029' }).ok).toBe(false);
    expect(nationalIdOf({ sub: '899900000011' }).ok).toBe(false);
    // A PSC sandbox test identity (not RPPS) is read as given; the caller refuses its shape.
    expect(nationalIdOf({ SubjectNameID: 'ANS20231122132732' })).toEqual({ ok: true, value: 'ANS20231122132732' });
  });
});

describeEngines('PSC userinfo of the development provider', (getDb) => {
  let db: Db;
  const find = async (id: string): Promise<Professional> => {
    const p = await findProfessional(db, id);
    if (p === null) throw new Error(`${id} not in the demo directory`);
    return p;
  };

  beforeAll(async () => {
    db = getDb();
    await loadDemoDirectory(db, new ManualClock());
  });

  it('gives a physician\'s identity, profession, specialty (savoir-faire) and activity as PSC does', async () => {
    const gp = DEMO_PROFESSIONALS.generalPractitioner;
    expect(pscUserinfo(gp, await find(gp))).toEqual({
      sub: pscSubject(gp),
      SubjectNameID: gp,
      preferred_username: gp,
      family_name: 'BERNARD',
      given_name: 'Sophie',
      SubjectRole: ['10^1.2.250.1.213.1.1.5.5'],
      SubjectOrganization: 'Cabinet médical des Lilas',
      SubjectOrganizationID: '1759990013',
      SubjectRefPro: {
        codeCivilite: '',
        exercices: [
          {
            codeProfession: '10',
            codeCategorieProfessionnelle: 'C',
            codeCiviliteDexercice: '',
            nomDexercice: 'BERNARD',
            prenomDexercice: 'Sophie',
            codeTypeSavoirFaire: 'S',
            codeSavoirFaire: 'SM54',
            activities: [
              expect.objectContaining({
                codeModeExercice: 'L',
                codeGenreActivite: 'GENR01',
                numeroFinessSite: '759990013',
                identifiantTechniqueDeLaStructure: '1759990013',
                raisonSocialeSite: 'Cabinet médical des Lilas',
                bureauCedex: 'Paris',
              }),
            ],
          },
        ],
      },
    });
  });

  it('gives no savoir-faire to a pharmacist, no activity to a professional without organisation', async () => {
    const pharmacist = pscUserinfo(DEMO_PROFESSIONALS.pharmacist, await find(DEMO_PROFESSIONALS.pharmacist));
    expect(pharmacist.SubjectRefPro.exercices[0]).toMatchObject({ codeProfession: '21', codeTypeSavoirFaire: '', codeSavoirFaire: '' });
    expect(pharmacist.SubjectRefPro.exercices[0]?.activities[0]?.raisonSocialeSite).toBe('Pharmacie du Marché');
    const dentist = pscUserinfo(DEMO_PROFESSIONALS.dentist, await find(DEMO_PROFESSIONALS.dentist));
    expect(dentist.SubjectRefPro.exercices[0]).toMatchObject({ codeProfession: '40', activities: [] });
    expect(dentist.SubjectOrganization).toBe('');
    const regulator = pscUserinfo(DEMO_PROFESSIONALS.samuRegulator, await find(DEMO_PROFESSIONALS.samuRegulator));
    expect(regulator.SubjectRefPro.exercices[0]).toMatchObject({ codeProfession: '10', codeSavoirFaire: 'SM59', activities: [expect.objectContaining({ codeModeExercice: 'S', raisonSocialeSite: 'SAMU 75 – Centre 15' })] });
  });

  it('names a person the directory does not know, without any exercise', () => {
    const u = pscUserinfo('899999999994', null);
    expect(u).toMatchObject({ SubjectNameID: '899999999994', preferred_username: '899999999994', SubjectRole: [], SubjectRefPro: { exercices: [] } });
  });
});
