// `rrun doctor` as a library function.
import { createContext, type Context, type GlobalOptions } from '../context.js';
import { realDoctorHost } from '../doctor/host.js';
import { runDoctor, type DoctorReport } from '../doctor/doctor.js';

export type { DoctorReport } from '../doctor/doctor.js';
export type { CheckResult } from '../doctor/types.js';

export async function doctor(opts: GlobalOptions = {}, ctx?: Context): Promise<DoctorReport> {
  const context = ctx ?? (await createContext(opts));
  return runDoctor(realDoctorHost(context.env), context.storage);
}
