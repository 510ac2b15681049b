// rrun as a library: every command is a typed function first; the CLI is a thin layer.
export { RrunError, ExitCode, isRrunError } from '../oci/errors.js';
export { createContext, type Context, type GlobalOptions } from './context.js';
export { listImages, inspectImage, type ImageSummary, type ImageInspect, type ListImagesOptions } from './api/images.js';
export { info, type SystemInfo, type StoreInfo } from './api/info.js';
export type { HostFacts } from './host/facts.js';
export { parseReference, formatReference, type ImageReference } from '../oci/reference.js';
export { create, type CreateOptions } from './api/create.js';
export { start, type StartOptions } from './api/start.js';
export { ps, type PsEntry, type PsOptions } from './api/ps.js';
export { logs, type LogsOptions } from './api/logs.js';
export { stopContainer, killContainer, type StopOptions } from './api/stop.js';
export { rm, prune, type RmOptions } from './api/rm.js';
export { waitContainer } from './api/wait.js';
export { exec, type ExecOptions } from './api/exec.js';
export { inspectContainers } from './api/inspect.js';
