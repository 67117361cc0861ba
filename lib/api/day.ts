import { z } from "zod";

/**
 * A UTC day, YYYY-MM-DD, that Postgres can hold as a timestamp with its following day: year 0 does
 * not exist there and 9999-12-31 + 1 day is year 10000, so both were a 500; now a 422.
 */
export const apiDay = () =>
  z.iso
    .date()
    .refine((d) => d >= "0001-01-01" && d <= "9999-12-30", "A day between 0001-01-01 and 9999-12-30.")
    .meta({ description: "A UTC day, YYYY-MM-DD." });
