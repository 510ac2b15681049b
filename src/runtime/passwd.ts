// `-u user[:group]` resolved the way podman resolves it: in the container's own
// /etc/passwd and /etc/group, numeric ids accepted without entries. Pure: the files'
// text is handed in.
import { RrunError } from '../../oci/errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

function lines(text: string | undefined): string[][] {
  return (text ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

export function parsePasswd(text: string | undefined): PasswdEntry[] {
  return lines(text)
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2] ?? '') && /^\d+$/.test(f[3] ?? ''))
    .map((f) => ({ name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' }));
}

export function parseGroup(text: string | undefined): GroupEntry[] {
  return lines(text)
    .filter((f) => f.length >= 3 && /^\d+$/.test(f[2] ?? ''))
    .map((f) => ({ name: f[0] ?? '', gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

const isNumeric = (s: string): boolean => /^\d+$/.test(s);

/**
 * Resolve `spec` ("", "name", "uid", "name:group", "uid:gid") against the container's
 * files. An empty spec is root. Errors use podman's wording.
 */
export function resolveUser(spec: string, passwdText: string | undefined, groupText: string | undefined): ResolvedUser {
  const [userPart = '', groupPart] = spec === '' ? ['0'] : spec.split(':', 2);
  const passwd = parsePasswd(passwdText);
  const groups = parseGroup(groupText);
  const entry = isNumeric(userPart) ? passwd.find((p) => p.uid === Number(userPart)) : passwd.find((p) => p.name === userPart);
  if (entry === undefined && !isNumeric(userPart)) {
    throw new RrunError({
      code: 'ERR_UNKNOWN_USER',
      message: `unable to find user ${userPart}: no matching entries in passwd file`,
      subject: userPart,
      hint: 'use a user that exists in the image (its /etc/passwd) or a numeric uid[:gid]',
    });
  }
  const uid = entry?.uid ?? Number(userPart);
  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined && groupPart !== '') {
    const group = isNumeric(groupPart) ? { gid: Number(groupPart) } : groups.find((g) => g.name === groupPart);
    if (group === undefined) {
      throw new RrunError({
        code: 'ERR_UNKNOWN_GROUP',
        message: `unable to find group ${groupPart}: no matching entries in group file`,
        subject: groupPart,
        hint: 'use a group that exists in the image (its /etc/group) or a numeric gid',
      });
    }
    gid = group.gid;
  }
  // Supplementary groups: the groups listing the user by name (only when no group was forced).
  const additionalGids =
    entry !== undefined && groupPart === undefined
      ? groups.filter((g) => g.members.includes(entry.name) && g.gid !== gid).map((g) => g.gid)
      : [];
  return { uid, gid, additionalGids, home: entry?.home ?? '/' };
}
