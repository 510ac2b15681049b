// The row `podman images --format` templates see (podman's imageReporter): the
// repository and tag of the row, the embedded ImageSummary fields, and methods that
// shadow some of them with display text (`.ID` is 12 characters, `.Size` is "2.14 MB",
// `.Created` is "5 minutes ago").
import { humanSize, timeAgo } from '../../cli/output.js';
import { headers } from '../report.js';
import { goStruct, GoTime, type GoValue } from '../values.js';

/** The ImageSummary fields the reporter needs (api/images.ts ImageSummary). */
export interface ImageSummaryLike {
  Id: string;
  ParentId: string;
  RepoTags: readonly string[];
  RepoDigests: readonly string[];
  Size: number;
  SharedSize: number;
  VirtualSize: number;
  Labels: Readonly<Record<string, string>> | null;
  Containers: number;
  Names?: readonly string[];
  Dangling?: boolean;
  Digest: string;
  History?: readonly string[] | null | undefined;
  Created: number;
}

export interface ImageRow {
  repository: string;
  tag: string;
  summary: ImageSummaryLike;
}

// Field order is entities.ImageSummary's (it shows in `{{.}}`); `ID` is the Go name of `Id`.
const summaryFields = [
  'ID', 'ParentId', 'RepoTags', 'RepoDigests', 'Created', 'Size', 'SharedSize', 'VirtualSize', 'Labels',
  'Containers', 'ReadOnly', 'Dangling', 'Names', 'Digest', 'History',
] as const;

/** Column titles: field names split into words, with podman's two overrides. */
export const imageHeaders = headers(['Repository', 'Tag', ...summaryFields], { ID: 'IMAGE ID', ReadOnly: 'R/O' });

export function imageReporter(row: ImageRow, noTrunc: boolean, now?: number): GoValue {
  const s = row.summary;
  const summary = goStruct('entities.ImageSummary', {
    ID: s.Id,
    ParentId: s.ParentId,
    RepoTags: [...s.RepoTags],
    RepoDigests: [...s.RepoDigests],
    Created: s.Created,
    Size: s.Size,
    SharedSize: s.SharedSize,
    VirtualSize: s.VirtualSize,
    Labels: { ...(s.Labels ?? {}) },
    Containers: s.Containers,
    ReadOnly: false,
    Dangling: s.Dangling ?? false,
    Names: [...(s.Names ?? [])],
    Digest: s.Digest,
    History: [...(s.History ?? [])],
  });
  const created = (): string => timeAgo(s.Created, now);
  return goStruct(
    'images.imageReporter',
    { Repository: row.repository, Tag: row.tag, ImageSummary: summary },
    {
      embedded: ['ImageSummary'],
      methods: {
        ID: () => (noTrunc ? `sha256:${s.Id}` : s.Id.slice(0, 12)),
        Created: created,
        CreatedSince: created,
        CreatedAt: () => GoTime.fromSeconds(s.Created).toString(),
        Size: () => humanSize(s.Size),
        History: () => (s.History ?? []).join(', '),
      },
    },
  );
}
