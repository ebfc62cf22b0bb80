/**
 * The HTML screens of professional sign-in: the relying party's pages (refusals, errors, the
 * small /pro landing page) and the development provider's screens (pick a demo professional,
 * its errors). Plain, accessible HTML in French: a language, a main landmark, one h1, labelled
 * controls. Every dynamic value goes through escapeHtml.
 */
import type { FastifyReply } from 'fastify';
import { professionLabel, specialtyLabel } from '../identity/index.ts';
import type { ProfessionalPrincipal } from './professional-principal.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#161616}
h1{font-size:1.6rem}
.note{border-left:4px solid #b34000;background:#fff4f3;padding:.5rem 1rem}
.dev{border:2px dashed #b34000;padding:.25rem .75rem;font-weight:600}
fieldset{border:1px solid #ddd;padding:1rem}
label{display:block;margin:.4rem 0}
button,.button{font:inherit;padding:.5rem 1rem;background:#000091;color:#fff;border:0;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:#000091;border:1px solid #000091}
:focus-visible{outline:3px solid #0a76f6;outline-offset:2px}
`;

/** A whole page; `body` is trusted HTML built from escaped parts. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Carnet</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** No scripts, no framing, forms only to Carnet itself; never cached. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function sendHtml(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(page);
}

/** "Médecin – Médecine générale" */
export function describeProfession(professionCode: string, specialtyCode: string | null): string {
  const profession = professionLabel(professionCode) ?? `profession ${professionCode}`;
  const specialty = specialtyCode === null ? null : (specialtyLabel(specialtyCode) ?? specialtyCode);
  return specialty === null ? profession : `${profession} – ${specialty}`;
}

// ---------------------------------------------------------------------------------------
// Relying party

export type RefusalReason = 'not_in_directory' | 'inactive' | 'not_rpps';

/** Why a professional authenticated by the provider cannot enter Carnet, and what to do. */
export function refusalPage(reason: RefusalReason, nationalId: string): string {
  const id = `<strong>${escapeHtml(nationalId)}</strong>`;
  const what: Record<RefusalReason, string> = {
    not_in_directory: `<p>Pro Santé Connect vous a bien identifié(e) (identifiant national ${id}), mais vous ne figurez pas dans l’annuaire des professionnels de santé de Carnet. Seuls les professionnels inscrits au RPPS et présents dans l’Annuaire Santé peuvent accéder aux dossiers des patients.</p>
<h2>Que faire ?</h2>
<ul>
<li>Si vous venez d’être inscrit(e) : l’annuaire de Carnet est mis à jour à partir de l’Annuaire Santé ; réessayez dans un ou deux jours.</li>
<li>Sinon, vérifiez votre inscription au RPPS auprès de votre ordre professionnel (ou de votre ARS pour les professions sans ordre).</li>
<li>Si votre inscription est à jour, contactez l’assistance de Carnet en indiquant votre identifiant national.</li>
</ul>`,
    inactive: `<p>Pro Santé Connect vous a bien identifié(e) (identifiant national ${id}), mais votre inscription est <strong>inactive</strong> dans l’annuaire des professionnels de santé de Carnet : vous ne figurez plus dans le dernier extrait de l’Annuaire Santé.</p>
<h2>Que faire ?</h2>
<ul>
<li>Vérifiez votre inscription au RPPS auprès de votre ordre professionnel (ou de votre ARS pour les professions sans ordre) : une radiation, une suspension ou un changement de situation peut l’avoir rendue inactive.</li>
<li>Si votre inscription est à jour, contactez l’assistance de Carnet en indiquant votre identifiant national.</li>
</ul>`,
    not_rpps: `<p>Pro Santé Connect vous a identifié(e) avec l’identifiant ${id}, qui n’est pas un identifiant RPPS (8 suivi des 11 chiffres du RPPS). Carnet n’ouvre l’accès aux dossiers qu’aux professionnels inscrits au RPPS.</p>
<h2>Que faire ?</h2>
<ul>
<li>Si vous êtes inscrit(e) au RPPS, vérifiez auprès de votre ordre professionnel que votre carte CPS ou e-CPS est rattachée à votre numéro RPPS.</li>
<li>Sinon, contactez l’assistance de Carnet.</li>
</ul>`,
  };
  return htmlPage('Accès refusé à l’espace professionnel', `${what[reason]}\n<p><a href="/pro">Retour à l’espace professionnel</a></p>`);
}

/** A sign-in that could not complete: what happened and how to start again. */
export function signInProblemPage(title: string, message: string): string {
  return htmlPage(title, `<p>${escapeHtml(message)}</p>\n<p><a class="button" href="/pro/login">Recommencer la connexion</a></p>`);
}

/** The professional area's landing page: who is signed in, or the sign-in button. */
export function proHomePage(p: ProfessionalPrincipal | null): string {
  if (p === null) {
    return htmlPage(
      'Espace professionnel',
      `<p>Les professionnels de santé se connectent à Carnet avec leur carte CPS ou leur e-CPS, par Pro Santé Connect. Carnet ne vous demandera jamais de mot de passe.</p>
<p><a class="button" href="/pro/login">Se connecter avec Pro Santé Connect</a></p>`,
    );
  }
  const csrf = escapeHtml(p.csrfToken ?? '');
  return htmlPage(
    'Espace professionnel',
    `<p>Vous êtes connecté(e) : <strong>${escapeHtml(p.givenName)} ${escapeHtml(p.familyName)}</strong>, ${escapeHtml(describeProfession(p.professionCode, p.specialtyCode))} (identifiant national ${escapeHtml(p.idNatPs)}).</p>
<form method="post" action="/pro/logout">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit">Se déconnecter</button>
</form>`,
  );
}

// ---------------------------------------------------------------------------------------
// Development provider

const DEV_BANNER =
  '<p class="dev" role="note">Fournisseur d’identité de <strong>développement</strong> : il imite Pro Santé Connect avec les professionnels de démonstration. Il n’existe pas en production.</p>';

export interface PickableProfessional {
  idNatPs: string;
  name: string;
  description: string;
  organisation: string | null;
  active: boolean;
}

/** The login screen of the development provider: pick a demo professional, or type an idNatPs. */
export function pickerPage(action: string, abortAction: string, professionals: readonly PickableProfessional[], error?: string): string {
  const items = professionals
    .map((p, i) => {
      const id = `pro-${i}`;
      const extra = [p.organisation, p.active ? null : 'inactif dans l’annuaire de Carnet'].filter((x): x is string => x !== null);
      return `<label for="${id}"><input type="radio" id="${id}" name="idNatPs" value="${escapeHtml(p.idNatPs)}"${i === 0 ? ' checked' : ''}> <strong>${escapeHtml(p.name)}</strong>, ${escapeHtml(p.description)}${extra.length > 0 ? ` (${escapeHtml(extra.join(' ; '))})` : ''} – ${escapeHtml(p.idNatPs)}</label>`;
    })
    .join('\n');
  const list =
    professionals.length > 0
      ? `<fieldset>\n<legend>Professionnels de démonstration</legend>\n${items}\n</fieldset>`
      : '<p>L’annuaire de démonstration n’est pas chargé (il l’est au premier démarrage avec CARNET_DEMO=1, le défaut en développement). Saisissez un identifiant national ci-dessous.</p>';
  const problem = error === undefined ? '' : `<p class="note" role="alert">${escapeHtml(error)}</p>\n`;
  return htmlPage(
    'Se connecter comme professionnel de santé',
    `${DEV_BANNER}
${problem}<form method="post" action="${escapeHtml(action)}">
${list}
<p><label for="other">Ou un autre identifiant national (idNatPs : 8 suivi du RPPS), même absent de l’annuaire de Carnet</label>
<input id="other" name="other" inputmode="numeric" autocomplete="off" pattern="8[0-9]{11}" size="14"></p>
<button type="submit">Se connecter</button>
</form>
<form method="post" action="${escapeHtml(abortAction)}">
<button type="submit" class="secondary">Annuler</button>
</form>`,
  );
}

/** An error of the development provider (its protocol errors, or an expired interaction). */
export function devProviderErrorPage(message: string): string {
  return htmlPage('Connexion impossible', `${DEV_BANNER}\n<p>${escapeHtml(message)}</p>\n<p><a href="/pro/login">Recommencer la connexion à Carnet</a></p>`);
}
