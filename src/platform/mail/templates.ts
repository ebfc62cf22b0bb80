import type { TemplateName } from './outbox.ts';

/**
 * The words of every message Carnet sends, French first, English available.
 *
 * A template composes a small document (paragraphs, headings, a code, an action) from its
 * parameters; the same document is rendered to plain text and HTML for e-mail, and to a PDF
 * for paper letters (letter-folder.ts), so the three never say different things. Every
 * parameter is escaped where it is rendered: templates never build markup by hand.
 */

export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export type Inline = string | { readonly strong: string };

export type Block =
  | { readonly type: 'paragraph'; readonly content: readonly Inline[] }
  | { readonly type: 'heading'; readonly text: string }
  /** A code the reader types: printed large and monospace. */
  | { readonly type: 'code'; readonly label: string; readonly value: string }
  /** A link: a button in HTML, the address in text and on paper. */
  | { readonly type: 'action'; readonly label: string; readonly url: string }
  | { readonly type: 'list'; readonly items: readonly (readonly Inline[])[] };

export interface ComposedMessage {
  readonly subject: string;
  readonly blocks: readonly Block[];
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/**
 * The parameters each template reads (others are ignored). `name` greets the reader by name;
 * `childName` makes a message about a minor's space, addressed to the legal representative.
 * Dates are ISO (`2026-02-26`, or a full timestamp shown
 * in Paris time) and are written out in the reader's language; anything else is shown as given.
 */
export const TEMPLATE_PARAMS = {
  space_information: { required: ['code', 'expiresOn', 'opensOn', 'activateUrl', 'opposeUrl'], optional: ['name', 'childName'] },
  code_regenerated: { required: ['code', 'expiresOn', 'activateUrl'], optional: ['name', 'childName'] },
  // closed: 'yes' when the space had already opened and the opposition closed it.
  opposition_proof: { required: ['reference', 'date'], optional: ['name', 'childName', 'activateUrl', 'closed'] },
  space_activated: { required: [], optional: ['name', 'childName', 'loginId', 'signInUrl'] },
  login_otp: { required: ['code', 'minutes'], optional: ['name'] },
  space_closed: { required: ['archiveUntil'], optional: ['name', 'childName', 'reopenUrl', 'deletionUrl'] },
  deletion_requested: { required: ['deadline'], optional: ['name', 'childName'] },
  representative_invitation: { required: ['inviterName', 'childName', 'acceptUrl', 'expiresOn'], optional: ['name'] },
  // childName: the invitation is for a minor's space (inviterName is their legal representative).
  aidant_invitation: { required: ['inviterName', 'acceptUrl', 'expiresOn'], optional: ['name', 'childName'] },
  // answer: accepted | refused.
  aidant_answered: { required: [], optional: ['name', 'childName', 'aidantName', 'answer'] },
  // endedBy: aidant (withdrawn; to the space, childName for a minor's) | space (revoked; to the aidant, patientName is whom they helped).
  aidant_ended: { required: [], optional: ['name', 'childName', 'aidantName', 'patientName', 'endedBy'] },
  // event: first_access | emergency_access | ps_access; mode: normal | samu | bris_de_glace;
  // patientName: set when the message goes to the médecin traitant about their patient.
  record_access: { required: [], optional: ['name', 'childName', 'actorName', 'at', 'event', 'mode', 'patientName'] },
  new_document: { required: [], optional: ['name', 'childName', 'actorName', 'at'] },
  // at: when the document was deposited; visibleOn: when it becomes visible without a consultation.
  document_awaiting: { required: [], optional: ['name', 'childName', 'at', 'visibleOn'] },
  document_visible: { required: [], optional: ['name', 'childName', 'at'] },
} as const satisfies Record<TemplateName, { required: readonly string[]; optional: readonly string[] }>;

/** Renders a message for e-mail: subject, plain text and HTML. Throws when a parameter is missing. */
export function renderMessage(template: TemplateName, params: Readonly<Record<string, string>>, locale: Locale = 'fr'): RenderedMessage {
  const m = composeMessage(template, params, locale);
  return { subject: m.subject, text: toText(m, locale), html: toHtml(m, locale) };
}

/** The document of a message, before rendering (letters render it to PDF). */
export function composeMessage(template: TemplateName, params: Readonly<Record<string, string>>, locale: Locale = 'fr'): ComposedMessage {
  const p = new Params(template, params, locale);
  const m = locale === 'fr' ? composeFr(template, p) : composeEn(template, p);
  // A subject is one header line: a parameter must not smuggle a line break into it.
  return { subject: m.subject.replace(/[\r\n]+/g, ' '), blocks: m.blocks };
}

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(TEMPLATE_PARAMS, name);
}

// ---------------------------------------------------------------------------------------
// French

function composeFr(template: TemplateName, p: Params): ComposedMessage {
  const child = p.opt('childName');
  // "votre espace" or "l'espace de Léa": the letter about a minor goes to the legal representative.
  const space = child === undefined ? 'votre espace Carnet' : `l’espace Carnet de ${child}`;
  const Space = capitalize(space);
  const name = p.opt('name');
  const greeting = name === undefined ? para('Madame, Monsieur,') : para(`Bonjour ${name},`);
  const hello = para(name === undefined ? 'Bonjour,' : `Bonjour ${name},`);
  const signature = para('L’équipe Carnet');

  switch (template) {
    case 'space_information': {
      const code = p.req('code');
      const opensOn = p.date('opensOn');
      const blocks: Block[] = [greeting];
      if (child === undefined) {
        blocks.push(para('Le service public Carnet crée pour chaque personne assurée un espace santé personnel et sécurisé. Le vôtre est en cours de création.'));
      } else {
        blocks.push(
          para('Le service public Carnet crée pour chaque personne assurée un espace santé personnel et sécurisé. Celui de ', b(child), ' est en cours de création.'),
          para('Vous recevez ce message en tant que représentant légal de ', b(child), '. C’est vous qui gérerez son espace et déciderez qui peut y accéder.'),
        );
      }
      blocks.push(
        para('Carnet permet de conserver ses documents de santé (ordonnances, résultats d’examens, comptes rendus d’hospitalisation, vaccinations) et de les partager avec les professionnels de santé de son choix, de recevoir des messages sécurisés de ses soignants et de suivre ses rendez-vous. Ni votre employeur, ni votre mutuelle, ni l’Assurance Maladie ne peuvent lire son contenu.'),
        para('Sauf opposition de votre part, ', space, ' sera ouvert automatiquement le ', b(opensOn), '.'),
        code_('Votre code provisoire (à usage unique)', code),
        para('Ce code est valable jusqu’au ', b(p.date('expiresOn')), '. Ne le communiquez à personne : Carnet ne vous le demandera jamais par téléphone ni par e-mail.'),
        heading('Pour activer l’espace dès maintenant'),
        para('Munissez-vous de ce code et de votre carte Vitale, puis rendez-vous sur la page d’activation. Vous y choisirez votre identifiant et votre mot de passe.'),
        action('Activer l’espace', p.url('activateUrl')),
        heading('Si vous ne souhaitez pas de cet espace'),
        para(
          'Vous pouvez vous opposer à sa création jusqu’au ',
          b(opensOn),
          ', avec votre numéro de sécurité sociale (NIR) et le numéro de série de votre carte Vitale, ou avec le code provisoire ci-dessus. Une attestation d’opposition vous sera remise. Vous pourrez changer d’avis plus tard.',
        ),
        action('M’opposer à la création', p.url('opposeUrl')),
        para('Sans démarche de votre part, l’espace sera ouvert à la date indiquée ; vous pourrez alors l’activer, ou le fermer à tout moment.'),
        para('Besoin d’aide ? Les conseillers numériques des espaces France Services peuvent vous accompagner.'),
        signature,
      );
      return {
        subject: child === undefined ? 'Votre espace santé Carnet va être créé' : `L’espace santé Carnet de ${child} va être créé`,
        blocks,
      };
    }
    case 'code_regenerated':
      return {
        subject: 'Votre nouveau code provisoire Carnet',
        blocks: [
          greeting,
          para('Voici un nouveau code provisoire pour activer ', space, '. Le code précédent ne fonctionne plus.'),
          code_('Votre code provisoire (à usage unique)', p.req('code')),
          para('Ce code est valable jusqu’au ', b(p.date('expiresOn')), '. Ne le communiquez à personne : Carnet ne vous le demandera jamais par téléphone ni par e-mail.'),
          para('Pour activer l’espace, munissez-vous de ce code et de votre carte Vitale :'),
          action('Activer l’espace', p.url('activateUrl')),
          para('Si vous n’avez pas demandé de nouveau code, vous pouvez ignorer ce message.'),
          signature,
        ],
      };
    case 'opposition_proof': {
      const activateUrl = p.optUrl('activateUrl');
      const blocks: Block[] = [
        greeting,
        para('Nous avons bien enregistré le ', b(p.date('date')), ' votre opposition à la création de ', space, '.'),
        para('Référence de votre attestation : ', b(p.req('reference')), '. Conservez ce message : il prouve votre opposition.'),
        heading('Ce que cela signifie'),
        list(
          p.opt('closed') === 'yes'
            ? [Space, ' avait déjà été ouvert : il est maintenant fermé et aucun professionnel de santé ne peut plus y accéder ni y déposer de documents.']
            : [Space, ' ne sera pas créé et aucun professionnel de santé ne pourra y déposer de documents.'],
          ['Le code provisoire qui vous avait été envoyé n’est plus valable.'],
          ['Vos remboursements et vos droits à l’Assurance Maladie ne changent pas.'],
        ),
        heading('Si vous changez d’avis'),
        para('Vous pouvez à tout moment demander la création de l’espace sur le site Carnet, avec votre numéro de sécurité sociale (NIR) et votre carte Vitale.'),
      ];
      if (activateUrl !== undefined) blocks.push(action('Créer l’espace', activateUrl));
      blocks.push(signature);
      return { subject: 'Attestation d’opposition à la création de votre espace Carnet', blocks };
    }
    case 'space_activated': {
      const signInUrl = p.optUrl('signInUrl');
      const loginId = p.opt('loginId');
      const blocks: Block[] = [
        greeting,
        para(Space, ' est activé. Vous vous connecterez avec l’identifiant et le mot de passe que vous avez choisis, puis un code à usage unique envoyé par e-mail.'),
        ...(loginId === undefined ? [] : [para('Votre identifiant : ', b(loginId), '.')]),
        heading('Pour bien commencer'),
        list(
          ['vérifiez la liste des professionnels de santé autorisés à consulter le dossier ;'],
          ['complétez le profil médical (allergies, traitements, vaccinations) ;'],
          ['indiquez vos préférences de notification.'],
        ),
      ];
      if (signInUrl !== undefined) blocks.push(action('Me connecter', signInUrl));
      blocks.push(para('Si vous n’êtes pas à l’origine de cette activation, contactez sans attendre l’assistance de Carnet.'), signature);
      return { subject: 'Votre espace Carnet est activé', blocks };
    }
    case 'login_otp':
      return {
        subject: 'Votre code de connexion à Carnet',
        blocks: [
          hello,
          para('Voici le code pour terminer votre connexion à Carnet :'),
          code_('Code de connexion', p.digits('code', 6)),
          para('Il est valable ', b(`${p.int('minutes')} minutes`), ' et ne sert qu’une fois. Ne le communiquez à personne, même à un conseiller.'),
          para(b('Si ce n’était pas vous'), ', quelqu’un connaît peut-être votre mot de passe : changez-le dès que possible depuis la page de connexion (« Mot de passe oublié »).'),
          signature,
        ],
      };
    case 'space_closed': {
      const archiveUntil = p.date('archiveUntil');
      const reopenUrl = p.optUrl('reopenUrl');
      const deletionUrl = p.optUrl('deletionUrl');
      const blocks: Block[] = [
        greeting,
        para(Space, ' est fermé. Plus aucun professionnel de santé ne peut y accéder et plus aucun document ne peut y être déposé.'),
        para('Ses données sont conservées en archive jusqu’au ', b(archiveUntil), ', puis supprimées définitivement.'),
        heading('Rouvrir l’espace'),
        para('Jusqu’à cette date, vous pouvez rouvrir l’espace et retrouver toutes ses données : connectez-vous à Carnet avec votre identifiant et votre mot de passe, puis suivez les indications.'),
      ];
      if (reopenUrl !== undefined) blocks.push(action('Rouvrir l’espace', reopenUrl));
      blocks.push(
        heading('Demander la suppression sans attendre'),
        para('Vous pouvez demander que les données soient supprimées sans attendre la fin de l’archivage. La suppression est alors faite dans un délai de trois mois au plus ; elle est définitive.'),
      );
      if (deletionUrl !== undefined) blocks.push(action('Demander la suppression', deletionUrl));
      blocks.push(signature);
      return { subject: 'Fermeture de votre espace Carnet', blocks };
    }
    case 'deletion_requested':
      return {
        subject: 'Votre demande de suppression des données Carnet',
        blocks: [
          greeting,
          para('Nous avons bien reçu votre demande de suppression des données de ', space, '.'),
          para('Elles seront supprimées définitivement au plus tard le ', b(p.date('deadline')), '. D’ici là, l’espace reste fermé et personne ne peut y accéder.'),
          para('Une fois la suppression faite, les documents ne pourront plus être récupérés.'),
          para('Si vous n’êtes pas à l’origine de cette demande, contactez sans attendre l’assistance de Carnet.'),
          signature,
        ],
      };
    case 'representative_invitation': {
      const inviter = p.req('inviterName');
      const childName = p.req('childName');
      return {
        subject: `${inviter} vous invite à gérer l’espace Carnet de ${childName}`,
        blocks: [
          hello,
          para(b(inviter), ' vous invite à gérer l’espace santé Carnet de ', b(childName), ' en tant que second représentant légal.'),
          para('Vous pourrez consulter ses documents de santé, compléter son profil médical et décider avec ', inviter, ' des professionnels autorisés à y accéder.'),
          para('Pour accepter, suivez ce lien avant le ', b(p.date('expiresOn')), ' ; vous vous identifierez avec votre propre espace Carnet.'),
          action('Accepter l’invitation', p.url('acceptUrl')),
          para('Si vous ne connaissez pas ', inviter, ' ou n’attendiez pas cette invitation, ignorez ce message : elle expirera d’elle-même.'),
          signature,
        ],
      };
    }
    case 'aidant_invitation': {
      const inviter = p.req('inviterName');
      return {
        subject: child === undefined ? `${inviter} vous invite à devenir son aidant sur Carnet` : `${inviter} vous invite à devenir aidant de ${child} sur Carnet`,
        blocks: [
          hello,
          child === undefined
            ? para(b(inviter), ' vous invite à devenir son aidant : vous pourrez consulter son espace santé Carnet, y ajouter des documents et compléter son profil médical.')
            : para(b(inviter), ' vous invite à devenir aidant de ', b(child), ' : vous pourrez consulter son espace santé Carnet, y ajouter des documents et compléter son profil médical.'),
          para('Un aidant ne peut ni gérer les aidants, ni changer les paramètres d’accès ou les coordonnées, ni fermer l’espace.'),
          para('Pour répondre, connectez-vous à votre propre espace Carnet avant le ', b(p.date('expiresOn')), ' : l’invitation y apparaît, vous pourrez l’accepter ou la refuser.'),
          action('Voir l’invitation', p.url('acceptUrl')),
          para('Si vous ne connaissez pas ', inviter, ' ou n’attendiez pas cette invitation, refusez-la ou ignorez ce message : elle expirera d’elle-même.'),
          signature,
        ],
      };
    }
    case 'aidant_answered': {
      const who = p.opt('aidantName') ?? 'La personne que vous avez invitée';
      if (p.opt('answer') === 'refused') {
        return {
          subject: `${who} a refusé votre invitation d’aidant`,
          blocks: [hello, para(b(who), ' a refusé votre invitation à devenir aidant de ', space, '. Aucun accès n’a été donné.'), para('Une attestation a été enregistrée dans les documents de ', space, '.'), signature],
        };
      }
      return {
        subject: `${who} est désormais aidant de ${space}`,
        blocks: [
          hello,
          para(b(who), ' a accepté votre invitation : cette personne peut désormais consulter ', space, ', y ajouter des documents et compléter le profil médical.'),
          para('Une attestation a été enregistrée dans les documents de ', space, '. Vous pouvez mettre fin à cette désignation à tout moment depuis la rubrique Aidants.'),
          signature,
        ],
      };
    }
    case 'aidant_ended': {
      if (p.opt('endedBy') === 'aidant') {
        const who = p.opt('aidantName') ?? 'Votre aidant';
        return {
          subject: `${who} n’est plus aidant de ${space}`,
          blocks: [
            hello,
            para(b(who), ' a renoncé à être aidant de ', space, ' et n’y a plus accès.'),
            para('Une attestation a été enregistrée dans les documents de ', space, '. Vous pouvez inviter une autre personne depuis la rubrique Aidants.'),
            signature,
          ],
        };
      }
      const helped = p.opt('patientName') ?? 'la personne que vous aidiez';
      return {
        subject: `Vous n’êtes plus aidant de ${helped}`,
        blocks: [hello, para('Votre désignation comme aidant de ', b(helped), ' a pris fin : vous n’avez plus accès à son espace Carnet.'), para('Si vous pensez qu’il s’agit d’une erreur, parlez-en avec ', helped, '.'), signature],
      };
    }
    case 'record_access': {
      const who = p.opt('actorName') ?? 'Un professionnel de santé';
      const at = p.opt('at');
      const when = at === undefined ? '' : ` le ${formatDateParam(at, 'fr') ?? at}`;
      const mode = p.opt('mode') === 'samu' ? 'SAMU (centre 15)' : 'bris de glace';
      const patientName = p.opt('patientName');
      if (p.opt('event') === 'emergency_access') {
        if (patientName !== undefined) {
          return {
            subject: `Accès en urgence au dossier Carnet de ${patientName}`,
            blocks: [hello, para('Vous êtes le médecin traitant déclaré de ', b(patientName), '. ', b(who), ` a accédé à son dossier en urgence${when} (mode : ${mode}).`), para('Vous recevez ce message parce que tout accès en urgence est signalé au patient et à son médecin traitant.'), signature],
          };
        }
        return {
          subject: 'Accès en urgence à votre dossier Carnet',
          blocks: [greeting, para(b(who), ` a accédé en urgence au dossier de `, space, `${when} (mode : ${mode}).`), para('Tout accès en urgence vous est signalé. Vous pouvez voir le détail dans l’historique des accès et régler les accès en urgence dans vos paramètres.'), signature],
        };
      }
      const first = p.opt('event') === 'first_access';
      return {
        subject: first ? 'Un nouveau professionnel a accédé à votre espace Carnet' : 'Un professionnel a accédé à votre espace Carnet',
        blocks: [greeting, para(b(who), first ? ' a accédé pour la première fois à ' : ' a accédé à ', space, `${when}.`), para('Vous pouvez voir le détail dans l’historique des accès, et bloquer un professionnel dans vos paramètres.'), signature],
      };
    }
    case 'new_document': {
      const who = p.opt('actorName');
      const at = p.opt('at');
      return {
        subject: 'Un nouveau document dans votre espace Carnet',
        blocks: [greeting, para('Un nouveau document a été ajouté à ', space, who === undefined ? '' : ' par ', ...(who === undefined ? [] : [b(who)]), at === undefined ? '.' : ` le ${formatDateParam(at, 'fr') ?? at}.`), para('Connectez-vous à Carnet pour le consulter.'), signature],
      };
    }
    case 'document_awaiting': {
      const at = p.opt('at');
      const visibleOn = p.opt('visibleOn');
      return {
        subject: 'Un nouveau document vous attend dans votre espace Carnet',
        blocks: [
          greeting,
          para('Un professionnel de santé a déposé un nouveau document dans ', space, at === undefined ? '' : ` le ${formatDateParam(at, 'fr') ?? at}`, '. Il souhaite vous en parler lors d’une consultation avant que vous en preniez connaissance.'),
          para('Nous vous invitons à prendre rendez-vous avec votre médecin pour en parler.'),
          para(visibleOn === undefined ? 'Sans consultation, le document deviendra visible dans votre espace un mois après son dépôt.' : `Sans consultation, le document deviendra visible dans votre espace le ${formatDateParam(visibleOn, 'fr') ?? visibleOn}.`),
          signature,
        ],
      };
    }
    case 'document_visible': {
      const at = p.opt('at');
      return {
        subject: 'Un document est désormais visible dans votre espace Carnet',
        blocks: [
          greeting,
          para('Un document déposé par un professionnel de santé', at === undefined ? '' : ` le ${formatDateParam(at, 'fr') ?? at}`, ', qui attendait une consultation d’annonce, est désormais visible dans ', space, '.'),
          para('Si vous avez des questions à son sujet, parlez-en à votre médecin. Connectez-vous à Carnet pour le consulter.'),
          signature,
        ],
      };
    }
  }
}

// ---------------------------------------------------------------------------------------
// English

function composeEn(template: TemplateName, p: Params): ComposedMessage {
  const child = p.opt('childName');
  const space = child === undefined ? 'your Carnet space' : `${child}’s Carnet space`;
  const Space = capitalize(space);
  const name = p.opt('name');
  const greeting = name === undefined ? para('Dear Sir or Madam,') : para(`Hello ${name},`);
  const hello = para(name === undefined ? 'Hello,' : `Hello ${name},`);
  const signature = para('The Carnet team');

  switch (template) {
    case 'space_information': {
      const code = p.req('code');
      const opensOn = p.date('opensOn');
      const blocks: Block[] = [greeting];
      if (child === undefined) {
        blocks.push(para('The Carnet public service creates a personal, secure health space for every insured person. Yours is being created.'));
      } else {
        blocks.push(
          para('The Carnet public service creates a personal, secure health space for every insured person. The space of ', b(child), ' is being created.'),
          para('You receive this message as the legal representative of ', b(child), '. You will manage their space and decide who may access it.'),
        );
      }
      blocks.push(
        para('Carnet keeps health documents (prescriptions, test results, hospital reports, vaccinations) and shares them with the health professionals you choose; it also holds secure messages from carers and appointments. Neither your employer, nor your complementary insurer, nor the national health insurance can read its content.'),
        para('Unless you object, ', space, ' will open automatically on ', b(opensOn), '.'),
        code_('Your provisional code (single use)', code),
        para('This code is valid until ', b(p.date('expiresOn')), '. Do not share it: Carnet will never ask for it by phone or e-mail.'),
        heading('To activate the space now'),
        para('Have this code and your Carte Vitale at hand and go to the activation page. You will choose your username and password there.'),
        action('Activate the space', p.url('activateUrl')),
        heading('If you do not want this space'),
        para(
          'You may object to its creation until ',
          b(opensOn),
          ', with your social security number (NIR) and the serial number of your Carte Vitale, or with the provisional code above. You will receive a proof of objection. You can change your mind later.',
        ),
        action('Object to the creation', p.url('opposeUrl')),
        para('If you do nothing, the space opens on the date above; you can then activate it, or close it at any time.'),
        para('Need help? The digital advisers of France Services centres can assist you.'),
        signature,
      );
      return { subject: child === undefined ? 'Your Carnet health space is being created' : `The Carnet health space of ${child} is being created`, blocks };
    }
    case 'code_regenerated':
      return {
        subject: 'Your new Carnet provisional code',
        blocks: [
          greeting,
          para('Here is a new provisional code to activate ', space, '. The previous code no longer works.'),
          code_('Your provisional code (single use)', p.req('code')),
          para('This code is valid until ', b(p.date('expiresOn')), '. Do not share it: Carnet will never ask for it by phone or e-mail.'),
          para('To activate the space, have this code and your Carte Vitale at hand:'),
          action('Activate the space', p.url('activateUrl')),
          para('If you did not ask for a new code, you can ignore this message.'),
          signature,
        ],
      };
    case 'opposition_proof': {
      const activateUrl = p.optUrl('activateUrl');
      const blocks: Block[] = [
        greeting,
        para('On ', b(p.date('date')), ' we recorded your objection to the creation of ', space, '.'),
        para('Reference of this proof: ', b(p.req('reference')), '. Keep this message: it proves your objection.'),
        heading('What it means'),
        list(
          p.opt('closed') === 'yes'
            ? [Space, ' had already opened: it is now closed, and no health professional can access it or add documents to it any more.']
            : [Space, ' will not be created and no health professional can add documents to it.'],
          ['The provisional code you were sent is no longer valid.'],
          ['Your reimbursements and health insurance rights do not change.'],
        ),
        heading('If you change your mind'),
        para('You can ask at any time for the space to be created on the Carnet website, with your social security number (NIR) and your Carte Vitale.'),
      ];
      if (activateUrl !== undefined) blocks.push(action('Create the space', activateUrl));
      blocks.push(signature);
      return { subject: 'Proof of objection to the creation of your Carnet space', blocks };
    }
    case 'space_activated': {
      const signInUrl = p.optUrl('signInUrl');
      const loginId = p.opt('loginId');
      const blocks: Block[] = [
        greeting,
        para(Space, ' is activated. You will sign in with the username and password you chose, then a single-use code sent by e-mail.'),
        ...(loginId === undefined ? [] : [para('Your username: ', b(loginId), '.')]),
        heading('Getting started'),
        list(['check the list of health professionals allowed to read the record;'], ['complete the medical profile (allergies, treatments, vaccinations);'], ['set your notification preferences.']),
      ];
      if (signInUrl !== undefined) blocks.push(action('Sign in', signInUrl));
      blocks.push(para('If you did not activate this space, contact Carnet support at once.'), signature);
      return { subject: 'Your Carnet space is activated', blocks };
    }
    case 'login_otp':
      return {
        subject: 'Your Carnet sign-in code',
        blocks: [
          hello,
          para('Here is the code to finish signing in to Carnet:'),
          code_('Sign-in code', p.digits('code', 6)),
          para('It is valid for ', b(`${p.int('minutes')} minutes`), ' and works once. Do not share it, not even with an adviser.'),
          para(b('If it was not you'), ', someone may know your password: change it as soon as possible from the sign-in page (“Forgot your password”).'),
          signature,
        ],
      };
    case 'space_closed': {
      const reopenUrl = p.optUrl('reopenUrl');
      const deletionUrl = p.optUrl('deletionUrl');
      const blocks: Block[] = [
        greeting,
        para(Space, ' is closed. No health professional can access it and no document can be added to it.'),
        para('Its data is kept in an archive until ', b(p.date('archiveUntil')), ', then permanently deleted.'),
        heading('Reopening the space'),
        para('Until that date you can reopen the space and find all its data: sign in to Carnet with your username and password, then follow the instructions.'),
      ];
      if (reopenUrl !== undefined) blocks.push(action('Reopen the space', reopenUrl));
      blocks.push(
        heading('Asking for deletion now'),
        para('You can ask for the data to be deleted without waiting for the end of the archive period. It is then deleted within three months at most; deletion is permanent.'),
      );
      if (deletionUrl !== undefined) blocks.push(action('Ask for deletion', deletionUrl));
      blocks.push(signature);
      return { subject: 'Your Carnet space is closed', blocks };
    }
    case 'deletion_requested':
      return {
        subject: 'Your request to delete your Carnet data',
        blocks: [
          greeting,
          para('We have received your request to delete the data of ', space, '.'),
          para('It will be permanently deleted by ', b(p.date('deadline')), ' at the latest. Until then the space stays closed and nobody can access it.'),
          para('Once deleted, the documents cannot be recovered.'),
          para('If you did not make this request, contact Carnet support at once.'),
          signature,
        ],
      };
    case 'representative_invitation': {
      const inviter = p.req('inviterName');
      const childName = p.req('childName');
      return {
        subject: `${inviter} invites you to manage the Carnet space of ${childName}`,
        blocks: [
          hello,
          para(b(inviter), ' invites you to manage the Carnet health space of ', b(childName), ' as second legal representative.'),
          para('You will be able to read their health documents, complete their medical profile and decide with ', inviter, ' which professionals may access it.'),
          para('To accept, follow this link before ', b(p.date('expiresOn')), '; you will identify yourself with your own Carnet space.'),
          action('Accept the invitation', p.url('acceptUrl')),
          para('If you do not know ', inviter, ' or did not expect this invitation, ignore this message: it will expire by itself.'),
          signature,
        ],
      };
    }
    case 'aidant_invitation': {
      const inviter = p.req('inviterName');
      return {
        subject: child === undefined ? `${inviter} invites you to be their aidant on Carnet` : `${inviter} invites you to be an aidant of ${child} on Carnet`,
        blocks: [
          hello,
          child === undefined
            ? para(b(inviter), ' invites you to be their aidant (caregiver): you will be able to read their Carnet health space, add documents to it and complete their medical profile.')
            : para(b(inviter), ' invites you to be an aidant (caregiver) of ', b(child), ': you will be able to read their Carnet health space, add documents to it and complete their medical profile.'),
          para('An aidant cannot manage aidants, change the access settings or contact details, or close the space.'),
          para('To answer, sign in to your own Carnet space before ', b(p.date('expiresOn')), ': the invitation is shown there, and you can accept or refuse it.'),
          action('See the invitation', p.url('acceptUrl')),
          para('If you do not know ', inviter, ' or did not expect this invitation, refuse it or ignore this message: it will expire by itself.'),
          signature,
        ],
      };
    }
    case 'aidant_answered': {
      const who = p.opt('aidantName') ?? 'The person you invited';
      if (p.opt('answer') === 'refused') {
        return {
          subject: `${who} declined your aidant invitation`,
          blocks: [hello, para(b(who), ' declined your invitation to be an aidant of ', space, '. No access was given.'), para('An attestation was saved among the documents of ', space, '.'), signature],
        };
      }
      return {
        subject: `${who} is now an aidant of ${space}`,
        blocks: [
          hello,
          para(b(who), ' accepted your invitation: they can now read ', space, ', add documents to it and complete the medical profile.'),
          para('An attestation was saved among the documents of ', space, '. You can end this designation at any time from the Aidants section.'),
          signature,
        ],
      };
    }
    case 'aidant_ended': {
      if (p.opt('endedBy') === 'aidant') {
        const who = p.opt('aidantName') ?? 'Your aidant';
        return {
          subject: `${who} is no longer an aidant of ${space}`,
          blocks: [
            hello,
            para(b(who), ' withdrew as an aidant of ', space, ' and no longer has access to it.'),
            para('An attestation was saved among the documents of ', space, '. You can invite someone else from the Aidants section.'),
            signature,
          ],
        };
      }
      const helped = p.opt('patientName') ?? 'the person you helped';
      return {
        subject: `You are no longer an aidant of ${helped}`,
        blocks: [hello, para('Your designation as an aidant of ', b(helped), ' has ended: you no longer have access to their Carnet space.'), para('If you think this is a mistake, talk to ', helped, '.'), signature],
      };
    }
    case 'record_access': {
      const who = p.opt('actorName') ?? 'A health professional';
      const at = p.opt('at');
      const when = at === undefined ? '' : ` on ${formatDateParam(at, 'en') ?? at}`;
      const mode = p.opt('mode') === 'samu' ? 'SAMU (centre 15)' : 'break-the-glass';
      const patientName = p.opt('patientName');
      if (p.opt('event') === 'emergency_access') {
        if (patientName !== undefined) {
          return {
            subject: `Emergency access to the Carnet record of ${patientName}`,
            blocks: [hello, para('You are the declared general practitioner of ', b(patientName), '. ', b(who), ` accessed their record in an emergency${when} (mode: ${mode}).`), para('You receive this message because every emergency access is notified to the patient and to their general practitioner.'), signature],
          };
        }
        return {
          subject: 'Emergency access to your Carnet record',
          blocks: [greeting, para(b(who), ' accessed the record of ', space, ` in an emergency${when} (mode: ${mode}).`), para('Every emergency access is notified to you. The access history shows the details; your settings let you choose which emergency accesses are allowed.'), signature],
        };
      }
      const first = p.opt('event') === 'first_access';
      return {
        subject: first ? 'A new professional accessed your Carnet space' : 'A professional accessed your Carnet space',
        blocks: [greeting, para(b(who), first ? ' accessed ' : ' accessed ', space, first ? ` for the first time${when}.` : `${when}.`), para('The access history shows the details; your settings let you block a professional.'), signature],
      };
    }
    case 'new_document': {
      const who = p.opt('actorName');
      const at = p.opt('at');
      return {
        subject: 'A new document in your Carnet space',
        blocks: [greeting, para('A new document was added to ', space, who === undefined ? '' : ' by ', ...(who === undefined ? [] : [b(who)]), at === undefined ? '.' : ` on ${formatDateParam(at, 'en') ?? at}.`), para('Sign in to Carnet to read it.'), signature],
      };
    }
    case 'document_awaiting': {
      const at = p.opt('at');
      const visibleOn = p.opt('visibleOn');
      return {
        subject: 'A new document awaits you in your Carnet space',
        blocks: [
          greeting,
          para('A health professional added a new document to ', space, at === undefined ? '' : ` on ${formatDateParam(at, 'en') ?? at}`, '. They wish to discuss it with you during a consultation before you read it.'),
          para('We invite you to make an appointment with your doctor to talk about it.'),
          para(visibleOn === undefined ? 'Without a consultation, the document will become visible in your space one month after it was added.' : `Without a consultation, the document will become visible in your space on ${formatDateParam(visibleOn, 'en') ?? visibleOn}.`),
          signature,
        ],
      };
    }
    case 'document_visible': {
      const at = p.opt('at');
      return {
        subject: 'A document is now visible in your Carnet space',
        blocks: [
          greeting,
          para('A document a health professional added', at === undefined ? '' : ` on ${formatDateParam(at, 'en') ?? at}`, ', which was awaiting an announcement consultation, is now visible in ', space, '.'),
          para('If you have questions about it, talk to your doctor. Sign in to Carnet to read it.'),
          signature,
        ],
      };
    }
  }
}

// ---------------------------------------------------------------------------------------
// Parameters

/** Reads a template's parameters, failing loudly: a missing one is a bug in the caller. */
class Params {
  readonly #template: TemplateName;
  readonly #values: Readonly<Record<string, string>>;
  readonly #locale: Locale;

  constructor(template: TemplateName, values: Readonly<Record<string, string>>, locale: Locale) {
    this.#template = template;
    this.#values = values;
    this.#locale = locale;
  }

  #fail(name: string, reason: string): never {
    throw new Error(`Template ${this.#template}: parameter "${name}" ${reason}`);
  }

  opt(name: string): string | undefined {
    const v = Object.hasOwn(this.#values, name) ? this.#values[name] : undefined;
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  }

  req(name: string): string {
    return this.opt(name) ?? this.#fail(name, 'is missing');
  }

  date(name: string): string {
    const formatted = formatDateParam(this.req(name), this.#locale);
    return formatted ?? this.#fail(name, 'is not a valid date');
  }

  url(name: string): string {
    const v = this.req(name);
    // Only web links: a javascript: or data: address in a message would be an attack.
    if (!/^https?:\/\/[^\s]+$/i.test(v)) this.#fail(name, 'must be an http(s) address');
    return v;
  }

  optUrl(name: string): string | undefined {
    return this.opt(name) === undefined ? undefined : this.url(name);
  }

  digits(name: string, n: number): string {
    const v = this.req(name);
    if (!new RegExp(`^[0-9]{${n}}$`).test(v)) this.#fail(name, `must be ${n} digits`);
    return v;
  }

  int(name: string): number {
    const v = this.req(name);
    if (!/^[0-9]{1,4}$/.test(v)) this.#fail(name, 'must be a whole number');
    return Number(v);
  }
}

/**
 * `2026-02-26` -> "26 février 2026" (fr) / "26 February 2026" (en); a full timestamp is shown
 * as its date in Paris. Returns undefined for a malformed date; other text is kept as given.
 */
export function formatDateParam(value: string, locale: Locale): string | undefined {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) {
    const d = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    if (d.toISOString().slice(0, 10) !== value) return undefined;
    return formatLongDate(d, locale, 'UTC');
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : formatLongDate(d, locale, 'Europe/Paris');
  }
  return value;
}

/** A long date as a French (or English) letter writes it: "1er mars 2026", "1 March 2026". */
export function formatLongDate(d: Date, locale: Locale, timeZone = 'Europe/Paris'): string {
  const parts = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone }).formatToParts(d);
  return parts.map((part) => (locale === 'fr' && part.type === 'day' && part.value === '1' ? '1er' : part.value)).join('');
}

// ---------------------------------------------------------------------------------------
// Rendering

const para = (...content: Inline[]): Block => ({ type: 'paragraph', content });
const heading = (text: string): Block => ({ type: 'heading', text });
const code_ = (label: string, value: string): Block => ({ type: 'code', label, value });
const action = (label: string, url: string): Block => ({ type: 'action', label, url });
const list = (...items: Inline[][]): Block => ({ type: 'list', items });
const b = (strong: string): Inline => ({ strong });

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function inlineText(content: readonly Inline[]): string {
  return content.map((i) => (typeof i === 'string' ? i : i.strong)).join('');
}

/** "Label :" in French (with a non-breaking space), "Label:" in English. */
export function withColon(label: string, locale: Locale): string {
  return locale === 'fr' ? `${label}\u00a0:` : `${label}:`;
}

const FOOTER = {
  fr: 'Ce message vous est envoyé automatiquement par Carnet ; merci de ne pas y répondre. Carnet ne vous demandera jamais votre mot de passe ni vos codes par e-mail ou par téléphone.',
  en: 'This message is sent automatically by Carnet; please do not reply to it. Carnet will never ask for your password or your codes by e-mail or phone.',
} as const;

const FALLBACK_LINK = {
  fr: 'Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur',
  en: 'If the button does not work, copy this address into your browser',
} as const;

function toText(m: ComposedMessage, locale: Locale): string {
  const parts = m.blocks.map((block): string => {
    switch (block.type) {
      case 'paragraph':
        return inlineText(block.content);
      case 'heading':
        return `${block.text}\n${'-'.repeat(block.text.length)}`;
      case 'code':
        // On a line of its own: easy to copy, and never split by a soft line break.
        return `${withColon(block.label, locale)}\n\n    ${block.value}`;
      case 'action':
        return `${withColon(block.label, locale)}\n${block.url}`;
      case 'list':
        return block.items.map((item) => `- ${inlineText(item)}`).join('\n');
    }
  });
  return `${parts.join('\n\n')}\n\n--\n${FOOTER[locale]}\n`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function inlineHtml(content: readonly Inline[]): string {
  return content.map((i) => (typeof i === 'string' ? escapeHtml(i) : `<strong>${escapeHtml(i.strong)}</strong>`)).join('');
}

const BLUE = '#000091';

function toHtml(m: ComposedMessage, locale: Locale): string {
  const body = m.blocks.map((block): string => {
    switch (block.type) {
      case 'paragraph':
        return `<p style="margin:0 0 16px;">${inlineHtml(block.content)}</p>`;
      case 'heading':
        return `<h2 style="margin:24px 0 8px;font-size:18px;color:${BLUE};">${escapeHtml(block.text)}</h2>`;
      case 'code':
        return [
          `<p style="margin:24px 0 4px;">${escapeHtml(withColon(block.label, locale))}</p>`,
          `<p style="margin:0 0 24px;padding:12px 16px;border:2px solid ${BLUE};display:inline-block;font-family:'Courier New',Courier,monospace;font-size:28px;font-weight:bold;letter-spacing:2px;">`,
          escapeHtml(block.value),
          '</p>',
        ].join('\n');
      case 'action':
        return [
          `<p style="margin:16px 0 4px;"><a href="${escapeHtml(block.url)}" style="display:inline-block;padding:10px 20px;background:${BLUE};color:#ffffff;text-decoration:none;font-weight:bold;">${escapeHtml(block.label)}</a></p>`,
          `<p style="margin:0 0 16px;font-size:13px;color:#555555;">${escapeHtml(withColon(FALLBACK_LINK[locale], locale))}<br>`,
          `<a href="${escapeHtml(block.url)}" style="color:${BLUE};word-break:break-all;">${escapeHtml(block.url)}</a></p>`,
        ].join('\n');
      case 'list':
        return `<ul style="margin:0 0 16px;padding-left:24px;">\n${block.items.map((item) => `<li>${inlineHtml(item)}</li>`).join('\n')}\n</ul>`;
    }
  });
  return [
    '<!doctype html>',
    `<html lang="${locale}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(m.subject)}</title>`,
    '</head>',
    '<body style="margin:0;padding:0;background:#f6f6f6;">',
    '<div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#161616;">',
    `<p style="margin:0 0 24px;font-size:22px;font-weight:bold;color:${BLUE};">Carnet</p>`,
    ...body,
    `<hr style="border:none;border-top:1px solid #dddddd;margin:24px 0 12px;">`,
    `<p style="margin:0;font-size:13px;color:#555555;">${escapeHtml(FOOTER[locale])}</p>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
