// The row `podman ps --format` templates see (podman's psReporter): the embedded
// ListContainer fields, and methods for the display columns (`.ID` 12 characters,
// `.Names` the first name, `.Command` truncated, `.RunningFor`, `.CreatedAt`).
import { compactSize, humanDuration } from '../../cli/output.js';
import { goStruct, GoTime, type GoValue } from '../values.js';
import { portsColumn } from '../../runtime/port-list.js';
import type { ContainerSize, PsEntry } from '../../api/ps.js';

/** The PsEntry fields the reporter needs (api/ps.ts). */
export type PsEntryLike = Omit<PsEntry, 'CreatedAt' | 'Namespaces' | 'Size'>;

/** Column titles as podman 4.3 prints them. */
export const psHeaders: Readonly<Record<string, string>> = {
  AutoRemove: 'AUTO REMOVE', Command: 'COMMAND', Created: 'CREATED', CreatedAt: 'CREATED AT', CreatedHuman: 'CREATED',
  Exited: 'EXITED', ExitedAt: 'EXITED AT', ExitCode: 'EXIT CODE', ID: 'CONTAINER ID', Image: 'IMAGE', ImageID: 'IMAGE ID',
  IsInfra: 'IS INFRA', Labels: 'LABELS', Mounts: 'MOUNTS', Names: 'NAMES', Namespaces: 'NAMESPACES', Networks: 'NETWORKS',
  Pid: 'PID', Pod: 'POD ID', PodName: 'PODNAME', Ports: 'PORTS', RunningFor: 'RUNNING FOR', Size: 'SIZE',
  StartedAt: 'STARTED AT', State: 'STATE', Status: 'STATUS',
};

const namespaces = goStruct('entities.ListContainerNamespaces', { Cgroup: '', IPC: '', MNT: '', NET: '', PIDNS: '', User: '', UTS: '' });

/** podman's SIZE cell: `12B (virtual 1.99MB)`. */
export function sizeColumn(size: ContainerSize): string {
  return `${compactSize(size.rwSize, 3)} (virtual ${compactSize(size.rootFsSize, 3)})`;
}

export function psReporter(e: PsEntryLike & { Size?: ContainerSize | null }, noTrunc: boolean, now: number = Date.now() / 1000): GoValue {
  const created = GoTime.fromSeconds(e.Created);
  const list = goStruct('entities.ListContainer', {
    AutoRemove: e.AutoRemove, Command: [...e.Command], Created: created, CreatedAt: `${humanDuration(now - e.Created)} ago`,
    Exited: e.Exited, ExitedAt: e.ExitedAt, ExitCode: e.ExitCode, ID: e.Id, Image: e.Image, ImageID: e.ImageID,
    IsInfra: e.IsInfra, Labels: { ...(e.Labels ?? {}) }, Mounts: [...e.Mounts], Names: [...e.Names], Namespaces: namespaces,
    Networks: [...e.Networks], Pid: e.Pid, Pod: e.Pod, PodName: e.PodName, Ports: (e.Ports ?? []).map((r) => goStruct('types.PortMapping', { HostIP: r.host_ip, ContainerPort: r.container_port, HostPort: r.host_port, Range: r.range, Protocol: r.protocol })),
    Size: e.Size == null ? null : goStruct('define.ContainerSize', { RootFsSize: e.Size.rootFsSize, RwSize: e.Size.rwSize }), StartedAt: e.StartedAt,
    State: e.State, Status: e.Status,
  });
  const command = e.Command.join(' ');
  return goStruct('containers.psReporter', { ListContainer: list }, {
    embedded: ['ListContainer'],
    methods: {
      ID: () => (noTrunc ? e.Id : e.Id.slice(0, 12)),
      ImageID: () => (noTrunc ? e.ImageID : e.ImageID.slice(0, 12)),
      Names: () => e.Names[0] ?? '',
      Command: () => (noTrunc || command.length <= 17 ? command : `${command.slice(0, 17)}...`),
      CreatedAt: () => created.toString(),
      CreatedHuman: () => `${humanDuration(now - e.Created)} ago`,
      RunningFor: () => `${humanDuration(now - e.Created)} ago`,
      Status: () => e.Status,
      State: () => e.Status,
      Ports: () => portsColumn(e.Ports ?? []),
      Networks: () => e.Networks.join(','),
      Pod: () => e.Pod.slice(0, 12),
      Size: () => (e.Size == null ? '' : sizeColumn(e.Size)),
    },
  });
}
