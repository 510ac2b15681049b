// rrun as a library: every command is a typed function first; the CLI is a thin layer.
export { RrunError, ExitCode, isRrunError } from '../oci/errors.js';
export { createContext, type Context, type GlobalOptions } from './context.js';
export { listImages, inspectImage, type ImageSummary, type ImageInspect, type ListImagesOptions } from './api/images.js';
export { info, type SystemInfo, type StoreInfo } from './api/info.js';
export type { HostFacts } from './host/facts.js';
export { parseReference, formatReference, type ImageReference } from '../oci/reference.js';
