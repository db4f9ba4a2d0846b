/** The largest term a server adopts or campaigns for (a u32: at one election a second, 136 years). A message beyond it is malformed. */
export const MAX_TERM = 0xffff_ffff;
