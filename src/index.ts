export { RrunError, ExitCode, isRrunError } from '../oci/errors.js';
