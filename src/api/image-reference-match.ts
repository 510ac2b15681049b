// The strings an image name is matched against by `reference=` (podman 4.3): the full
// name, then shorter spellings of it — without the registry, without the path, with and
// without the tag or digest — so `busybox`, `*box:latest` and `localhost/*` all work.
import { splitName } from '../image/catalog.js';

function withoutDomain(repo: string): string {
  const slash = repo.indexOf('/');
  if (slash < 0) return repo;
  const first = repo.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? repo.slice(slash + 1) : repo;
}

const lastPart = (s: string): string => s.slice(s.lastIndexOf('/') + 1);

/** Candidates for one stored name, most specific first. */
export function referenceCandidates(name: string): string[] {
  const { repo, tag, digest } = splitName(name);
  const path = withoutDomain(repo);
  const out = [name, path, lastPart(name)];
  const suffix = tag !== undefined ? `:${tag}` : digest !== undefined ? `@${digest}` : '';
  if (suffix !== '') out.push(repo, `${path}${suffix}`, lastPart(repo));
  return out;
}
