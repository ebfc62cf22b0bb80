import { describe, expect, it } from 'vitest';
import { TEMPLATES } from './outbox.ts';
import type { TemplateName } from './outbox.ts';
import { LOCALES, TEMPLATE_PARAMS, composeMessage, renderMessage } from './templates.ts';

/** Values for every parameter any template reads. */
const ALL: Record<string, string> = {
  code: 'ABCD-EFGH-JKMN',
  expiresOn: '2026-03-01',
  opensOn: '2026-02-26',
  activateUrl: 'https://carnet.example.fr/activer',
  opposeUrl: 'https://carnet.example.fr/opposition',
  childName: 'Léa Martin',
  reference: 'OPP-2026-000123',
  date: '2026-01-20',
  signInUrl: 'https://carnet.example.fr/connexion',
  loginId: 'claire.martin',
  name: 'Claire Martin',
  minutes: '10',
  archiveUntil: '2036-01-20T10:00:00Z',
  reopenUrl: 'https://carnet.example.fr/rouvrir',
  deletionUrl: 'https://carnet.example.fr/supprimer',
  deadline: '2026-04-20',
  inviterName: 'Paul Martin',
  acceptUrl: 'https://carnet.example.fr/invitation/abc',
};

function requiredOnly(t: TemplateName): Record<string, string> {
  const p: Record<string, string> = {};
  for (const k of TEMPLATE_PARAMS[t].required) p[k] = ALL[k] as string;
  if (t === 'login_otp') p.code = '482913';
  return p;
}

describe('renderMessage', () => {
  for (const locale of LOCALES) {
    for (const t of TEMPLATES) {
      it(`renders ${t} in ${locale} with its required parameters`, () => {
        const params = requiredOnly(t);
        const m = renderMessage(t, params, locale);
        expect(m.subject.length).toBeGreaterThan(10);
        expect(m.subject).not.toMatch(/[\r\n]/);
        expect(m.html).toMatch(new RegExp(`^<!doctype html>\\n<html lang="${locale}">`));
        expect(m.html).toContain(`<title>`);
        // Every required parameter that is not a date shows in both parts, as given.
        for (const [k, v] of Object.entries(params)) {
          if (/On$|date|deadline|Until/.test(k)) continue;
          expect(m.text, `${t} ${k}`).toContain(v);
        }
        expect(m.text).toContain(locale === 'fr' ? 'L’équipe Carnet' : 'The Carnet team');
      });
    }
  }

  it('writes French first by default, with French dates', () => {
    const m = renderMessage('space_information', requiredOnly('space_information'));
    expect(m.subject).toBe('Votre espace santé Carnet va être créé');
    expect(m.text).toContain('ouvert automatiquement le 26 février 2026');
    expect(m.text).toContain('valable jusqu’au 1er mars 2026');
    expect(m.text).toContain('\n    ABCD-EFGH-JKMN\n'); // the code on a line of its own
    expect(m.text).toContain('https://carnet.example.fr/activer');
    expect(m.text).toContain('https://carnet.example.fr/opposition');
    expect(m.text).toMatch(/numéro de série de votre carte Vitale, ou avec le code provisoire/);
    expect(m.html).toContain('href="https://carnet.example.fr/opposition"');
  });

  it('greets the reader by name when given one', () => {
    expect(renderMessage('space_closed', { archiveUntil: '2036-01-20', name: 'Claire Martin' }).text).toMatch(/^Bonjour Claire Martin,\n/);
    expect(renderMessage('space_closed', { archiveUntil: '2036-01-20' }).text).toMatch(/^Madame, Monsieur,\n/);
    expect(renderMessage('login_otp', { code: '482913', minutes: '10', name: 'Claire' }, 'en').text).toMatch(/^Hello Claire,\n/);
  });

  it('says in the proof of opposition whether an open space was closed', () => {
    const notCreated = renderMessage('opposition_proof', { reference: 'OPP-1', date: '2026-01-20' });
    expect(notCreated.text).toContain('Votre espace Carnet ne sera pas créé');
    expect(notCreated.text).toContain('Référence de votre attestation : OPP-1');
    expect(notCreated.text).toContain('le 20 janvier 2026');
    const closed = renderMessage('opposition_proof', { reference: 'OPP-1', date: '20 janvier 2026', closed: 'yes' });
    expect(closed.text).toContain('Votre espace Carnet avait déjà été ouvert : il est maintenant fermé');
    expect(closed.text).toContain('le 20 janvier 2026'); // an already written date is kept as given
  });

  it('writes English dates in English', () => {
    const m = renderMessage('space_information', requiredOnly('space_information'), 'en');
    expect(m.text).toContain('open automatically on 26 February 2026');
    expect(m.text).toContain('valid until 1 March 2026');
  });

  it('addresses the legal representative and names the child', () => {
    const m = renderMessage('space_information', { ...requiredOnly('space_information'), childName: 'Léa Martin' });
    expect(m.subject).toBe('L’espace santé Carnet de Léa Martin va être créé');
    expect(m.text).toContain('en tant que représentant légal de Léa Martin');
    expect(m.text).toContain('l’espace Carnet de Léa Martin sera ouvert automatiquement');
  });

  it('tells the owner of a sign-in code what to do if it was not them', () => {
    const fr = renderMessage('login_otp', { code: '482913', minutes: '10' });
    expect(fr.text).toContain('482913');
    expect(fr.text).toContain('valable 10 minutes');
    expect(fr.text).toMatch(/Si ce n’était pas vous.*changez-le/);
    const en = renderMessage('login_otp', { code: '482913', minutes: '10' }, 'en');
    expect(en.text).toMatch(/If it was not you.*change it/);
  });

  it('shows timestamps as dates in Paris time', () => {
    // 23:30 UTC on 31 December is already 1 January in Paris.
    const m = renderMessage('space_closed', { archiveUntil: '2035-12-31T23:30:00Z' });
    expect(m.text).toContain('jusqu’au 1er janvier 2036');
  });

  it('escapes parameters in HTML and keeps them readable in text', () => {
    const evil = '<script>alert("x")</script> & <b>Tom</b>';
    const m = renderMessage('representative_invitation', { ...requiredOnly('representative_invitation'), inviterName: evil, childName: evil });
    expect(m.html).not.toContain('<script>');
    expect(m.html).not.toContain('<b>Tom</b>');
    expect(m.html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#60;b&#62;Tom&#60;/b&#62;');
    expect(m.text).toContain(evil);
  });

  it('keeps a subject on one line', () => {
    const m = renderMessage('representative_invitation', { ...requiredOnly('representative_invitation'), inviterName: 'Paul\r\nBcc: victim@example.org' });
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.subject).toContain('Paul Bcc: victim@example.org');
  });

  for (const t of TEMPLATES) {
    for (const missing of TEMPLATE_PARAMS[t].required) {
      it(`refuses ${t} without "${missing}", naming both`, () => {
        const params = requiredOnly(t);
        delete params[missing];
        expect(() => renderMessage(t, params)).toThrow(`Template ${t}: parameter "${missing}" is missing`);
        expect(() => renderMessage(t, { ...params, [missing]: '  ' })).toThrow(`"${missing}"`);
      });
    }
  }

  it('refuses a link that is not a web address', () => {
    expect(() => renderMessage('space_information', { ...requiredOnly('space_information'), activateUrl: 'javascript:alert(1)' })).toThrow(
      'Template space_information: parameter "activateUrl" must be an http(s) address',
    );
    expect(() => renderMessage('space_closed', { archiveUntil: '2036-01-01', reopenUrl: 'data:text/html,x' })).toThrow('"reopenUrl"');
  });

  it('refuses an impossible date and a sign-in code that is not 6 digits', () => {
    expect(() => renderMessage('deletion_requested', { deadline: '2026-02-30' })).toThrow('parameter "deadline" is not a valid date');
    expect(() => renderMessage('login_otp', { code: 'ABC123', minutes: '10' })).toThrow('parameter "code" must be 6 digits');
  });

  it('adds optional links only when given', () => {
    const without = renderMessage('space_closed', { archiveUntil: '2036-01-20' });
    expect(without.html).not.toContain('<a href');
    const withLinks = renderMessage('space_closed', { archiveUntil: '2036-01-20', reopenUrl: ALL.reopenUrl as string, deletionUrl: ALL.deletionUrl as string });
    expect(withLinks.html).toContain(`href="${ALL.reopenUrl}"`);
    expect(withLinks.html).toContain(`href="${ALL.deletionUrl}"`);
    expect(withLinks.text).toContain('délai de trois mois');
  });

  it('composes the code as its own block (printed large on letters)', () => {
    const m = composeMessage('code_regenerated', requiredOnly('code_regenerated'));
    expect(m.blocks).toContainEqual({ type: 'code', label: 'Votre code provisoire (à usage unique)', value: 'ABCD-EFGH-JKMN' });
  });
});
