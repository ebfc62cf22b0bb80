import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { useT } from '../i18n/index.ts';
import type { DocumentView } from '../types.ts';

/** Who added a document, as a badge: you, the holder, a representative, an aidant, a professional, the insurer. */
export function AuthorBadge({ doc, me }: { doc: DocumentView; me: string | null }) {
  const t = useT();
  const a = doc.author;
  const text =
    a.id === me && a.kind !== 'professional' && a.kind !== 'insurer'
      ? t.documents.author.you
      : a.kind === 'professional'
        ? t.documents.author.professional(a.name ?? a.id)
        : a.kind === 'insurer'
          ? t.documents.author.insurer
          : a.kind === 'representative'
            ? t.documents.author.representative(a.name ?? '')
            : a.kind === 'aidant'
              ? t.documents.author.aidant(a.name ?? '')
              : t.documents.author.patient(a.name ?? '');
  return (
    <Badge small severity={a.kind === 'professional' ? 'info' : a.kind === 'insurer' ? 'new' : undefined} noIcon={a.kind !== 'professional'}>
      {text}
    </Badge>
  );
}

export function MaskedBadge({ doc }: { doc: DocumentView }) {
  const t = useT();
  if (!doc.flags.maskedToProfessionals) return null;
  return (
    <Badge small severity="warning">
      {t.documents.masked}
    </Badge>
  );
}

/** Documents the patient added themselves (or someone acting for them) can be edited and deleted. */
export const isOwnUpload = (doc: DocumentView) => doc.author.kind === 'patient' || doc.author.kind === 'representative' || doc.author.kind === 'aidant';
